using System.Buffers.Binary;
using System.Text;

namespace TinyStack.Wire;

/// <summary>An IPv4 header as values (RFC 791 §3.1). We emit no IP options, so the header is always 20 bytes.</summary>
public readonly record struct Ipv4Header(
    Ipv4Address Source,
    Ipv4Address Destination,
    byte Protocol,
    int PayloadLength,
    byte Ttl = 64,
    ushort Identification = 0,
    bool DontFragment = false,
    bool MoreFragments = false,
    int FragmentOffset = 0,
    byte Dscp = 0,
    byte Ecn = 0)
{
    public const int Length = Ipv4Packet.MinHeaderLength;

    /// <summary>The largest payload a 16-bit Total Length can describe.</summary>
    public const int MaxPayloadLength = ushort.MaxValue - Length;

    // Version 4 in the high nibble, IHL 5 (words) in the low one.
    private const byte VersionAndIhl = 0x45;

    /// <summary>Header plus payload: the Total Length field.</summary>
    public int TotalLength => Length + PayloadLength;

    /// <summary>Writes the 20-byte header at the start of <paramref name="destination"/>, header checksum computed.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"An IPv4 header needs {Length} bytes but the buffer has {destination.Length}; pass a larger span.", nameof(destination));
        }

        Validate();
        destination[Ipv4Packet.VersionAndIhlOffset] = VersionAndIhl;
        destination[Ipv4Packet.DscpAndEcnOffset] = (byte)((Dscp << 2) | Ecn);
        BinaryPrimitives.WriteUInt16BigEndian(destination[Ipv4Packet.TotalLengthOffset..], (ushort)TotalLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination[Ipv4Packet.IdentificationOffset..], Identification);
        int flagsAndOffset = (FragmentOffset / Ipv4Packet.FragmentUnit)
            | (DontFragment ? Ipv4Packet.DontFragmentBit : 0)
            | (MoreFragments ? Ipv4Packet.MoreFragmentsBit : 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[Ipv4Packet.FlagsAndFragmentOffsetOffset..], (ushort)flagsAndOffset);
        destination[Ipv4Packet.TtlOffset] = Ttl;
        destination[Ipv4Packet.ProtocolOffset] = Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(destination[Ipv4Packet.HeaderChecksumOffset..], 0);
        Source.WriteTo(destination[Ipv4Packet.SourceOffset..]);
        Destination.WriteTo(destination[Ipv4Packet.DestinationOffset..]);

        // RFC 791: the checksum field is zero while the checksum is computed.
        ushort checksum = Checksum.Compute(destination[..Length]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[Ipv4Packet.HeaderChecksumOffset..], checksum);
    }

    private void Validate()
    {
        if (PayloadLength is < 0 or > MaxPayloadLength)
        {
            throw new ArgumentOutOfRangeException(nameof(PayloadLength), PayloadLength, $"IPv4 payload length must be 0..{MaxPayloadLength}; split the data.");
        }

        if (FragmentOffset < 0 || FragmentOffset % Ipv4Packet.FragmentUnit != 0 || FragmentOffset / Ipv4Packet.FragmentUnit > Ipv4Packet.FragmentOffsetMask)
        {
            throw new ArgumentOutOfRangeException(nameof(FragmentOffset), FragmentOffset, "IPv4 fragment offset must be a multiple of 8 bytes below 65536.");
        }

        if (Dscp > 63 || Ecn > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(Dscp), $"DSCP must be 0..63 and ECN 0..3 (got {Dscp} and {Ecn}).");
        }
    }

    /// <summary><c>IP 10.0.0.1 &gt; 10.0.0.2 proto 6 ttl 64 id 1234 [DF] len 60</c>.</summary>
    public override string ToString() => Summarize(this, TotalLength, 0);

    internal static string Summarize(Ipv4Header header, int totalLength, int optionsLength)
    {
        var text = new StringBuilder(80);
        text.Append($"IP {header.Source} > {header.Destination} proto {header.Protocol} ttl {header.Ttl} id {header.Identification}");
        int tos = (header.Dscp << 2) | header.Ecn;
        if (tos != 0)
        {
            text.Append($" tos 0x{tos:x2}");
        }

        if (header.DontFragment)
        {
            text.Append(" [DF]");
        }

        if (header.MoreFragments)
        {
            text.Append(" [MF]");
        }

        if (header.FragmentOffset != 0)
        {
            text.Append($" offset {header.FragmentOffset}");
        }

        if (optionsLength != 0)
        {
            text.Append($" optlen {optionsLength}");
        }

        text.Append($" len {totalLength}");
        return text.ToString();
    }
}
