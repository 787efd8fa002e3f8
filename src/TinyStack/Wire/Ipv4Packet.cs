using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>
/// A checked view of an IPv4 datagram (RFC 791 §3.1). <see cref="TryCreate(ReadOnlySpan{byte}, out Ipv4Packet, out DropReason)"/>
/// checks every length the accessors rely on, so afterwards none can throw. The header checksum is
/// not checked by TryCreate: ask <see cref="IsChecksumValid"/> (a receiver counts a bad one separately).
/// </summary>
public readonly ref struct Ipv4Packet
{
    public const int MinHeaderLength = 20;

    /// <summary>IHL is a 4-bit count of 32-bit words, so the header is at most 60 bytes.</summary>
    public const int MaxHeaderLength = 60;

    internal const int VersionAndIhlOffset = 0;
    internal const int DscpAndEcnOffset = 1;
    internal const int TotalLengthOffset = 2;
    internal const int IdentificationOffset = 4;
    internal const int FlagsAndFragmentOffsetOffset = 6;
    internal const int TtlOffset = 8;
    internal const int ProtocolOffset = 9;
    internal const int HeaderChecksumOffset = 10;
    internal const int SourceOffset = 12;
    internal const int DestinationOffset = 16;

    // RFC 791 §3.1 "Flags": bit 0 reserved, bit 1 DF, bit 2 MF, then 13 bits of offset in 8-byte units.
    internal const ushort DontFragmentBit = 0x4000;
    internal const ushort MoreFragmentsBit = 0x2000;
    internal const ushort FragmentOffsetMask = 0x1FFF;
    internal const int FragmentUnit = 8;

    private readonly ReadOnlySpan<byte> _data;

    // _data is cut to TotalLength, so Ethernet padding never reaches Payload.
    private Ipv4Packet(ReadOnlySpan<byte> data) => _data = data;

    public static bool TryCreate(ReadOnlySpan<byte> data, out Ipv4Packet view) => TryCreate(data, out view, out _);

    /// <summary>
    /// Validates version, IHL and Total Length against the span. On failure <paramref name="error"/>
    /// is Ipv4Truncated, Ipv4BadVersion, Ipv4BadHeaderLength or Ipv4BadTotalLength.
    /// Bytes beyond Total Length are legal (Ethernet pads short frames to 60 bytes) and ignored.
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<byte> data, out Ipv4Packet view, out DropReason error)
    {
        view = default;
        if (data.Length < MinHeaderLength)
        {
            error = DropReason.Ipv4Truncated;
            return false;
        }

        if ((data[VersionAndIhlOffset] >> 4) != 4)
        {
            error = DropReason.Ipv4BadVersion;
            return false;
        }

        int headerLength = (data[VersionAndIhlOffset] & 0x0F) * 4;
        if (headerLength < MinHeaderLength)
        {
            error = DropReason.Ipv4BadHeaderLength;
            return false;
        }

        if (headerLength > data.Length)
        {
            error = DropReason.Ipv4Truncated;
            return false;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(data[TotalLengthOffset..]);
        if (totalLength < headerLength || totalLength > data.Length)
        {
            error = DropReason.Ipv4BadTotalLength;
            return false;
        }

        view = new Ipv4Packet(data[..totalLength]);
        error = DropReason.Accepted;
        return true;
    }

    public byte Version => (byte)(_data[VersionAndIhlOffset] >> 4);

    /// <summary>IHL in bytes (20..60).</summary>
    public int HeaderLength => (_data[VersionAndIhlOffset] & 0x0F) * 4;

    /// <summary>Differentiated Services Code Point (RFC 2474), the upper six bits of the old TOS byte.</summary>
    public byte Dscp => (byte)(_data[DscpAndEcnOffset] >> 2);

    /// <summary>Explicit Congestion Notification (RFC 3168), the lower two bits.</summary>
    public byte Ecn => (byte)(_data[DscpAndEcnOffset] & 0x03);

    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_data[TotalLengthOffset..]);

    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_data[IdentificationOffset..]);

    private ushort FlagsAndFragmentOffset => BinaryPrimitives.ReadUInt16BigEndian(_data[FlagsAndFragmentOffsetOffset..]);

    public bool DontFragment => (FlagsAndFragmentOffset & DontFragmentBit) != 0;

    public bool MoreFragments => (FlagsAndFragmentOffset & MoreFragmentsBit) != 0;

    /// <summary>The fragment offset in bytes (the field counts 8-byte units).</summary>
    public int FragmentOffset => (FlagsAndFragmentOffset & FragmentOffsetMask) * FragmentUnit;

    /// <summary>True when this datagram is a piece of a larger one (RFC 791 §3.2 "Fragmentation and Reassembly").</summary>
    public bool IsFragment => (FlagsAndFragmentOffset & (MoreFragmentsBit | FragmentOffsetMask)) != 0;

    public byte Ttl => _data[TtlOffset];

    public byte Protocol => _data[ProtocolOffset];

    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(_data[HeaderChecksumOffset..]);

    public Ipv4Address Source => new(_data[SourceOffset..]);

    public Ipv4Address Destination => new(_data[DestinationOffset..]);

    /// <summary>The whole header, options included.</summary>
    public ReadOnlySpan<byte> Header => _data[..HeaderLength];

    /// <summary>The IP options (RFC 791 §3.1 "Options"), empty when IHL is 5.</summary>
    public ReadOnlySpan<byte> Options => _data[MinHeaderLength..HeaderLength];

    /// <summary>Bytes [HeaderLength, TotalLength): the transport segment or fragment.</summary>
    public ReadOnlySpan<byte> Payload => _data[HeaderLength..];

    /// <summary>The datagram, cut to Total Length.</summary>
    public ReadOnlySpan<byte> Bytes => _data;

    /// <summary>The one's complement sum over the header, checksum included, must be all ones (RFC 791, RFC 1071).</summary>
    public bool IsChecksumValid => Checksum.Compute(Header) == 0;

    /// <summary>
    /// The header as values. IP options and the reserved flag bit are not carried, so a header
    /// with options does not round-trip; <see cref="Ipv4Header.PayloadLength"/> is the true payload length.
    /// </summary>
    public Ipv4Header ToHeader() => new(
        Source,
        Destination,
        Protocol,
        TotalLength - HeaderLength,
        Ttl,
        Identification,
        DontFragment,
        MoreFragments,
        FragmentOffset,
        Dscp,
        Ecn);

    /// <summary>
    /// One line: the transport summary for an unfragmented datagram
    /// (<c>IP 10.0.0.1 &gt; 10.0.0.2 ICMP echo request id=1 seq=3 len=56</c>,
    /// <c>TCP 10.0.0.1:49500 &gt; 10.0.0.2:80 [S] seq=123 win=64240 &lt;mss 1460&gt;</c>,
    /// <c>UDP 10.0.0.1:40001 &gt; 10.0.0.2:5353 len=9</c>), else the IP header summary.
    /// </summary>
    public override string ToString()
    {
        if (!IsFragment)
        {
            switch (Protocol)
            {
                case IpProtocol.Icmp when IcmpPacket.TryCreate(Payload, out IcmpPacket icmp):
                    return $"IP {Source} > {Destination} {icmp.ToString()}";
                case IpProtocol.Tcp when TcpSegment.TryCreate(Payload, out TcpSegment tcp):
                    return tcp.ToString(Source, Destination);
                case IpProtocol.Udp when UdpDatagram.TryCreate(Payload, out UdpDatagram udp):
                    return udp.ToString(Source, Destination);
                default:
                    break;
            }
        }

        return Ipv4Header.Summarize(ToHeader(), TotalLength, Options.Length);
    }
}
