using System.Buffers.Binary;
using System.Text;
using TinyStack.Tcp;

namespace TinyStack.Wire;

/// <summary>A TCP header as values (RFC 9293 §3.1), options included.</summary>
public readonly record struct TcpHeader(
    ushort SourcePort,
    ushort DestinationPort,
    SeqNumber SequenceNumber,
    SeqNumber AcknowledgmentNumber,
    TcpFlags Flags,
    ushort Window,
    TcpOptions Options = default,
    ushort UrgentPointer = 0)
{
    public const int MinLength = TcpSegment.MinHeaderLength;

    public const int MaxLength = TcpSegment.MaxHeaderLength;

    /// <summary>The header length with options (a multiple of 4): the data offset in bytes.</summary>
    public int Length => MinLength + Options.EncodedLength;

    /// <summary>
    /// Writes header and options at segment[0..Length] and the checksum over the pseudo-header and
    /// the WHOLE of <paramref name="segment"/>, so the payload must already be in place and the span
    /// must end where the segment ends (frames are built in place).
    /// </summary>
    public void WriteTo(Span<byte> segment, Ipv4Address source, Ipv4Address destination)
    {
        int optionsLength = Options.EncodedLength;
        int headerLength = MinLength + optionsLength;
        if (segment.Length < headerLength)
        {
            throw new ArgumentException($"This TCP header needs {headerLength} bytes but the buffer has {segment.Length}; pass the whole segment.", nameof(segment));
        }

        if (segment.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"A TCP segment cannot exceed {ushort.MaxValue} bytes (got {segment.Length}); pass exactly the segment.", nameof(segment));
        }

        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpSegment.SourcePortOffset..], SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpSegment.DestinationPortOffset..], DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment[TcpSegment.SequenceNumberOffset..], SequenceNumber.Value);
        BinaryPrimitives.WriteUInt32BigEndian(segment[TcpSegment.AcknowledgmentNumberOffset..], AcknowledgmentNumber.Value);

        // Data offset in 32-bit words in the high nibble; the reserved bits are sent as zero.
        segment[TcpSegment.DataOffsetOffset] = (byte)((headerLength / 4) << 4);
        segment[TcpSegment.FlagsOffset] = (byte)Flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpSegment.WindowOffset..], Window);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpSegment.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpSegment.UrgentPointerOffset..], UrgentPointer);
        Options.WriteTo(segment[MinLength..headerLength]);

        ushort checksum = Checksum.ComputeWithPseudoHeader(source, destination, IpProtocol.Tcp, segment);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpSegment.ChecksumOffset..], checksum);
    }

    /// <summary><c>TCP 49500 &gt; 80 [S] seq=123 win=64240 &lt;mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7&gt;</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append($"TCP {SourcePort} > {DestinationPort} ");
        AppendFields(text, Flags, SequenceNumber, AcknowledgmentNumber, Window, UrgentPointer);
        if (!Options.IsEmpty)
        {
            text.Append(' ').Append(Options.ToString());
        }

        return text.ToString();
    }

    /// <summary>Flags as tcpdump prints them: F S R P . U E W in that order ("." is ACK), "none" when clear.</summary>
    public static string FormatFlags(TcpFlags flags)
    {
        if (flags == TcpFlags.None)
        {
            return "none";
        }

        // tcpdump's order (print-tcp.c tcp_flag_values).
        ReadOnlySpan<char> letters = "FSRP.UEW";
        Span<char> result = stackalloc char[8];
        int count = 0;
        for (int bit = 0; bit < 8; bit++)
        {
            if (((int)flags & (1 << bit)) != 0)
            {
                result[count++] = letters[bit];
            }
        }

        return new string(result[..count]);
    }

    internal static void AppendFields(StringBuilder text, TcpFlags flags, SeqNumber sequence, SeqNumber acknowledgment, ushort window, ushort urgentPointer)
    {
        text.Append($"[{FormatFlags(flags)}] seq={sequence}");
        if ((flags & TcpFlags.Ack) != 0)
        {
            text.Append($" ack={acknowledgment}");
        }

        text.Append($" win={window}");
        if ((flags & TcpFlags.Urg) != 0)
        {
            text.Append($" urg={urgentPointer}");
        }
    }
}
