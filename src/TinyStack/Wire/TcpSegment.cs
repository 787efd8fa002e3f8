using System.Buffers.Binary;
using System.Text;
using TinyStack.Tcp;

namespace TinyStack.Wire;

/// <summary>
/// A checked view of a TCP segment (RFC 9293 §3.1). Create it over exactly the IP payload: the
/// payload runs to the end of the span, and the checksum covers all of it.
/// </summary>
public readonly ref struct TcpSegment
{
    public const int MinHeaderLength = 20;

    public const int MaxHeaderLength = 60;

    internal const int SourcePortOffset = 0;
    internal const int DestinationPortOffset = 2;
    internal const int SequenceNumberOffset = 4;
    internal const int AcknowledgmentNumberOffset = 8;
    internal const int DataOffsetOffset = 12;
    internal const int FlagsOffset = 13;
    internal const int WindowOffset = 14;
    internal const int ChecksumOffset = 16;
    internal const int UrgentPointerOffset = 18;

    private readonly ReadOnlySpan<byte> _data;

    private TcpSegment(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>Requires 20 bytes, a data offset of at least 5 words, and the whole header within the span.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> segment, out TcpSegment view)
    {
        view = default;
        if (segment.Length < MinHeaderLength)
        {
            return false;
        }

        int headerLength = (segment[DataOffsetOffset] >> 4) * 4;
        if (headerLength < MinHeaderLength || headerLength > segment.Length)
        {
            return false;
        }

        view = new TcpSegment(segment);
        return true;
    }

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_data[SourcePortOffset..]);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_data[DestinationPortOffset..]);

    public SeqNumber SequenceNumber => new(BinaryPrimitives.ReadUInt32BigEndian(_data[SequenceNumberOffset..]));

    /// <summary>Meaningful only when <see cref="TcpFlags.Ack"/> is set.</summary>
    public SeqNumber AcknowledgmentNumber => new(BinaryPrimitives.ReadUInt32BigEndian(_data[AcknowledgmentNumberOffset..]));

    /// <summary>The data offset in bytes (20..60).</summary>
    public int HeaderLength => (_data[DataOffsetOffset] >> 4) * 4;

    public TcpFlags Flags => (TcpFlags)_data[FlagsOffset];

    /// <summary>The raw (unscaled) window field.</summary>
    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_data[WindowOffset..]);

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_data[ChecksumOffset..]);

    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_data[UrgentPointerOffset..]);

    /// <summary>The raw option bytes (padding included); walk them with <see cref="EnumerateOptions"/>.</summary>
    public ReadOnlySpan<byte> OptionBytes => _data[MinHeaderLength..HeaderLength];

    public ReadOnlySpan<byte> Payload => _data[HeaderLength..];

    /// <summary>The whole segment this view was created over.</summary>
    public ReadOnlySpan<byte> Bytes => _data;

    /// <summary>SEG.LEN (RFC 9293 §3.4): payload bytes, plus one each for SYN and FIN.</summary>
    public int SegmentLength =>
        Payload.Length + ((Flags & TcpFlags.Syn) != 0 ? 1 : 0) + ((Flags & TcpFlags.Fin) != 0 ? 1 : 0);

    /// <summary>Checksum over the pseudo-header and the whole segment (RFC 9293 §3.1).</summary>
    public bool IsChecksumValid(Ipv4Address source, Ipv4Address destination) =>
        Wire.Checksum.ComputeWithPseudoHeader(source, destination, IpProtocol.Tcp, _data) == 0;

    public TcpOptionEnumerator EnumerateOptions() => new(OptionBytes);

    /// <summary>False when an option length is impossible; the caller drops the segment (TcpBadOptions).</summary>
    public bool TryGetOptions(out TcpOptions options) => TcpOptions.TryParse(OptionBytes, out options);

    /// <summary>
    /// The header as values; false when the options are malformed. Reserved bits and unknown options
    /// are not carried.
    /// </summary>
    public bool TryToHeader(out TcpHeader header)
    {
        if (!TryGetOptions(out TcpOptions options))
        {
            header = default;
            return false;
        }

        header = new TcpHeader(SourcePort, DestinationPort, SequenceNumber, AcknowledgmentNumber, Flags, Window, options, UrgentPointer);
        return true;
    }

    /// <summary><c>TCP 49500 &gt; 80 [S] seq=123 win=64240 &lt;mss 1460,...&gt;</c>.</summary>
    public override string ToString() => Describe($"TCP {SourcePort} > {DestinationPort}");

    /// <summary><c>TCP 10.0.0.1:49500 &gt; 10.0.0.2:80 [S] seq=123 win=64240 &lt;mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7&gt;</c>.</summary>
    public string ToString(Ipv4Address source, Ipv4Address destination) =>
        Describe($"TCP {source}:{SourcePort} > {destination}:{DestinationPort}");

    private string Describe(string endpoints)
    {
        var text = new StringBuilder(128);
        text.Append(endpoints).Append(' ');
        TcpHeader.AppendFields(text, Flags, SequenceNumber, AcknowledgmentNumber, Window, UrgentPointer);
        if (!Payload.IsEmpty)
        {
            text.Append($" len={Payload.Length}");
        }

        if (!OptionBytes.IsEmpty)
        {
            text.Append(" <");
            TcpOptions.AppendList(text, OptionBytes);
            text.Append('>');
        }

        return text.ToString();
    }
}
