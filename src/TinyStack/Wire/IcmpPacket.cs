using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>
/// A checked view of an ICMP message (RFC 792): type, code, checksum, four type-specific bytes,
/// then data. The view spans exactly the IP payload, because the checksum covers all of it.
/// </summary>
public readonly ref struct IcmpPacket
{
    public const int HeaderLength = 8;

    internal const int TypeOffset = 0;
    internal const int CodeOffset = 1;
    internal const int ChecksumOffset = 2;
    internal const int RestOfHeaderOffset = 4;

    // Echo: identifier then sequence number (RFC 792 "Echo or Echo Reply Message").
    private const int EchoIdentifierOffset = 4;
    private const int EchoSequenceOffset = 6;

    // Fragmentation needed: 16 unused bits, then the next-hop MTU (RFC 1191 §4).
    private const int NextHopMtuOffset = 6;

    private readonly ReadOnlySpan<byte> _data;

    private IcmpPacket(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>Accepts at least <see cref="HeaderLength"/> bytes; pass exactly the IP payload.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> data, out IcmpPacket view)
    {
        if (data.Length < HeaderLength)
        {
            view = default;
            return false;
        }

        view = new IcmpPacket(data);
        return true;
    }

    public byte Type => _data[TypeOffset];

    public byte Code => _data[CodeOffset];

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_data[ChecksumOffset..]);

    /// <summary>The checksum covers the whole message (RFC 792).</summary>
    public bool IsChecksumValid => Wire.Checksum.Compute(_data) == 0;

    /// <summary>The four type-specific header bytes as one big-endian value.</summary>
    public uint RestOfHeader => BinaryPrimitives.ReadUInt32BigEndian(_data[RestOfHeaderOffset..]);

    public ushort EchoIdentifier => BinaryPrimitives.ReadUInt16BigEndian(_data[EchoIdentifierOffset..]);

    public ushort EchoSequence => BinaryPrimitives.ReadUInt16BigEndian(_data[EchoSequenceOffset..]);

    /// <summary>The next-hop MTU of a "fragmentation needed" message; 0 from routers older than RFC 1191.</summary>
    public ushort NextHopMtu => BinaryPrimitives.ReadUInt16BigEndian(_data[NextHopMtuOffset..]);

    /// <summary>After the 8-byte header: the echo payload, or the quoted datagram of an error.</summary>
    public ReadOnlySpan<byte> Data => _data[HeaderLength..];

    /// <summary>The whole message this view was created over.</summary>
    public ReadOnlySpan<byte> Bytes => _data;

    /// <summary>
    /// For error messages (<see cref="IcmpType.IsError"/>): reads the quoted IPv4 header. Only the
    /// header must be complete; <paramref name="transportPrefix"/> is whatever follows it (RFC 792
    /// promises 8 bytes, RFC 1812 routers may quote more), cut to the quoted Total Length.
    /// </summary>
    public bool TryGetQuoted(out Ipv4Address source, out Ipv4Address destination, out byte protocol, out ReadOnlySpan<byte> transportPrefix)
    {
        source = default;
        destination = default;
        protocol = 0;
        transportPrefix = default;
        ReadOnlySpan<byte> quoted = Data;
        if (!IcmpType.IsError(Type) || quoted.Length < Ipv4Packet.MinHeaderLength || (quoted[Ipv4Packet.VersionAndIhlOffset] >> 4) != 4)
        {
            return false;
        }

        int headerLength = (quoted[Ipv4Packet.VersionAndIhlOffset] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(quoted[Ipv4Packet.TotalLengthOffset..]);
        if (headerLength < Ipv4Packet.MinHeaderLength || headerLength > quoted.Length || totalLength < headerLength)
        {
            return false;
        }

        source = new Ipv4Address(quoted[Ipv4Packet.SourceOffset..]);
        destination = new Ipv4Address(quoted[Ipv4Packet.DestinationOffset..]);
        protocol = quoted[Ipv4Packet.ProtocolOffset];
        transportPrefix = quoted[headerLength..Math.Min(quoted.Length, totalLength)];
        return true;
    }

    public IcmpHeader ToHeader() => new(Type, Code, RestOfHeader);

    /// <summary>
    /// <c>ICMP echo request id=1 seq=3 len=56</c> (len counts the data after the header), or for errors
    /// <c>ICMP port unreachable quoting UDP 10.0.0.1:40000 &gt; 10.0.0.2:9</c>.
    /// </summary>
    public override string ToString()
    {
        string text = ToHeader().ToString();
        if (Type is IcmpType.EchoRequest or IcmpType.EchoReply)
        {
            return $"{text} len={Data.Length}";
        }

        if (TryGetQuoted(out Ipv4Address source, out Ipv4Address destination, out byte protocol, out ReadOnlySpan<byte> prefix))
        {
            if (protocol is IpProtocol.Tcp or IpProtocol.Udp && prefix.Length >= 4)
            {
                string name = protocol == IpProtocol.Tcp ? "TCP" : "UDP";
                ushort sourcePort = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(prefix[2..]);
                return $"{text} quoting {name} {source}:{sourcePort} > {destination}:{destinationPort}";
            }

            return $"{text} quoting IP {source} > {destination} proto {protocol}";
        }

        return text;
    }
}
