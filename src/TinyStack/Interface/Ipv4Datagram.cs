using System.Buffers.Binary;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>
/// A received IPv4 datagram as the interface delivers it to a protocol: validated, addressed to
/// us, reassembled if it came in fragments. <see cref="Header"/> is what an ICMP error quotes
/// (as received, options included; for a reassembled datagram, the first fragment's header with
/// the whole length).
/// </summary>
internal readonly ref struct Ipv4Datagram
{
    public Ipv4Datagram(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, bool isBroadcast, bool isLinkBroadcast)
    {
        Header = header;
        Payload = payload;
        IsBroadcast = isBroadcast;
        IsLinkBroadcast = isLinkBroadcast;
    }

    /// <summary>The IPv4 header, 20 to 60 bytes.</summary>
    public ReadOnlySpan<byte> Header { get; }

    /// <summary>The transport segment: the bytes after the header, cut to Total Length.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Sent to 255.255.255.255 or to a broadcast address of our subnet.</summary>
    public bool IsBroadcast { get; }

    /// <summary>Arrived in a link-layer broadcast frame (RFC 1122 §3.2.2: never answer with an ICMP error).</summary>
    public bool IsLinkBroadcast { get; }

    public Ipv4Address Source => new(Header[Ipv4Packet.SourceOffset..]);

    public Ipv4Address Destination => new(Header[Ipv4Packet.DestinationOffset..]);

    public byte Protocol => Header[Ipv4Packet.ProtocolOffset];

    public byte Ttl => Header[Ipv4Packet.TtlOffset];

    public byte Dscp => (byte)(Header[Ipv4Packet.DscpAndEcnOffset] >> 2);

    /// <summary>The ECN field (RFC 3168 §5): TCP reads Congestion Experienced here.</summary>
    public byte Ecn => (byte)(Header[Ipv4Packet.DscpAndEcnOffset] & 0x03);

    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(Header[Ipv4Packet.IdentificationOffset..]);

    /// <summary>The fragment offset in bytes: nonzero only for a non-first fragment quoted by the reassembler.</summary>
    public int FragmentOffset =>
        (BinaryPrimitives.ReadUInt16BigEndian(Header[Ipv4Packet.FlagsAndFragmentOffsetOffset..]) & Ipv4Packet.FragmentOffsetMask) * Ipv4Packet.FragmentUnit;
}
