using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>A UDP header as values (RFC 768).</summary>
public readonly record struct UdpHeader(ushort SourcePort, ushort DestinationPort, int PayloadLength)
{
    public const int Length = UdpDatagram.HeaderLength;

    /// <summary>The largest payload the 16-bit Length field can describe.</summary>
    public const int MaxPayloadLength = ushort.MaxValue - Length;

    /// <summary>Header plus payload: the Length field.</summary>
    public int DatagramLength => Length + PayloadLength;

    /// <summary>
    /// Writes the header at datagram[0..8] and the checksum over the pseudo-header and
    /// datagram[0..DatagramLength], so the payload must already be in place. A computed checksum of
    /// zero is sent as 0xFFFF, because zero means "no checksum" (RFC 768).
    /// </summary>
    public void WriteTo(Span<byte> datagram, Ipv4Address source, Ipv4Address destination)
    {
        if (PayloadLength is < 0 or > MaxPayloadLength)
        {
            throw new ArgumentOutOfRangeException(nameof(PayloadLength), PayloadLength, $"UDP payload length must be 0..{MaxPayloadLength}; split the data.");
        }

        if (datagram.Length < DatagramLength)
        {
            throw new ArgumentException($"A UDP datagram with {PayloadLength} payload bytes needs {DatagramLength} bytes but the buffer has {datagram.Length}; pass the whole datagram.", nameof(datagram));
        }

        Span<byte> whole = datagram[..DatagramLength];
        BinaryPrimitives.WriteUInt16BigEndian(whole[UdpDatagram.SourcePortOffset..], SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(whole[UdpDatagram.DestinationPortOffset..], DestinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(whole[UdpDatagram.LengthOffset..], (ushort)DatagramLength);
        BinaryPrimitives.WriteUInt16BigEndian(whole[UdpDatagram.ChecksumOffset..], 0);
        ushort checksum = Checksum.ComputeWithPseudoHeader(source, destination, IpProtocol.Udp, whole);
        BinaryPrimitives.WriteUInt16BigEndian(whole[UdpDatagram.ChecksumOffset..], checksum == 0 ? (ushort)0xFFFF : checksum);
    }

    /// <summary><c>UDP 40001 &gt; 5353 len=9</c>.</summary>
    public override string ToString() => $"UDP {SourcePort} > {DestinationPort} len={PayloadLength}";
}
