using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>A checked view of a UDP datagram (RFC 768): four 16-bit fields, then the payload.</summary>
public readonly ref struct UdpDatagram
{
    public const int HeaderLength = 8;

    internal const int SourcePortOffset = 0;
    internal const int DestinationPortOffset = 2;
    internal const int LengthOffset = 4;
    internal const int ChecksumOffset = 6;

    private readonly ReadOnlySpan<byte> _data;

    // _data is cut to the Length field.
    private UdpDatagram(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>Requires 8 &lt;= Length &lt;= <paramref name="data"/>.Length; bytes beyond Length are ignored.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> data, out UdpDatagram view)
    {
        view = default;
        if (data.Length < HeaderLength)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(data[LengthOffset..]);
        if (length < HeaderLength || length > data.Length)
        {
            return false;
        }

        view = new UdpDatagram(data[..length]);
        return true;
    }

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_data[SourcePortOffset..]);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_data[DestinationPortOffset..]);

    /// <summary>Header plus payload, in bytes.</summary>
    public ushort Length => BinaryPrimitives.ReadUInt16BigEndian(_data[LengthOffset..]);

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_data[ChecksumOffset..]);

    /// <summary>False when the sender sent no checksum (the field is zero, RFC 768).</summary>
    public bool HasChecksum => Checksum != 0;

    public ReadOnlySpan<byte> Payload => _data[HeaderLength..];

    /// <summary>The datagram, cut to its Length field.</summary>
    public ReadOnlySpan<byte> Bytes => _data;

    /// <summary>
    /// Verifies the checksum over the pseudo-header (RFC 768) and the datagram. A zero checksum field
    /// means "none computed" and is accepted (RFC 1122 §4.1.3.4).
    /// </summary>
    public bool IsChecksumValid(Ipv4Address source, Ipv4Address destination) =>
        !HasChecksum || Wire.Checksum.ComputeWithPseudoHeader(source, destination, IpProtocol.Udp, _data) == 0;

    public UdpHeader ToHeader() => new(SourcePort, DestinationPort, Length - HeaderLength);

    /// <summary><c>UDP 40001 &gt; 5353 len=9</c> (len counts payload bytes).</summary>
    public override string ToString() => $"UDP {SourcePort} > {DestinationPort} len={Payload.Length}";

    /// <summary><c>UDP 10.0.0.1:40001 &gt; 10.0.0.2:5353 len=9</c>.</summary>
    public string ToString(Ipv4Address source, Ipv4Address destination) =>
        $"UDP {source}:{SourcePort} > {destination}:{DestinationPort} len={Payload.Length}";
}
