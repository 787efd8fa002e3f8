namespace TinyStack;

/// <summary>
/// The verdict on a received frame: <see cref="Accepted"/>, or why it was dropped. Every value
/// other than <see cref="Accepted"/> is counted in <see cref="Stats"/>.
/// </summary>
public enum DropReason : byte
{
    Accepted = 0,

    // Ethernet
    EthernetTruncated,
    EthernetNotForUs,
    EthernetUnsupportedType,
    EthernetVlanTagged,
    /// <summary>A multicast destination MAC other than broadcast: we join no multicast groups.</summary>
    EthernetMulticast,

    // ARP
    ArpMalformed,
    ArpUnsupported,
    ArpNotForUs,
    /// <summary>Sender hardware or protocol address that no host may have (multicast, broadcast, loopback).</summary>
    ArpBadSender,
    /// <summary>Another host claims our IPv4 address (RFC 5227 §2.4).</summary>
    ArpAddressConflict,

    // IPv4
    Ipv4Truncated,
    Ipv4BadVersion,
    Ipv4BadHeaderLength,
    Ipv4BadTotalLength,
    Ipv4BadChecksum,
    Ipv4BadSource,
    Ipv4NotForUs,
    Ipv4FragmentQueued,
    Ipv4ReassemblyLimit,
    Ipv4ReassemblyOverlap,
    /// <summary>An exact duplicate of a fragment already held (same offset and length): dropped alone.</summary>
    Ipv4FragmentDuplicate,
    /// <summary>A fragment that contradicts RFC 791: empty, non-final and not a multiple of 8, past the end, or beyond 65535 bytes.</summary>
    Ipv4FragmentInvalid,
    /// <summary>An incomplete datagram discarded when its reassembly timer expired (counted by Poll, not Receive).</summary>
    Ipv4ReassemblyTimeout,
    Ipv4UnknownProtocol,

    // ICMP
    IcmpTruncated,
    IcmpBadChecksum,
    IcmpUnsupportedType,
    IcmpRateLimited,
    /// <summary>An echo request to a broadcast address, ignored like Linux's icmp_echo_ignore_broadcasts = 1.</summary>
    IcmpBroadcastEchoIgnored,
    /// <summary>An ICMP error whose quoted datagram is not one of ours or belongs to no protocol we run.</summary>
    IcmpErrorIgnored,

    // UDP
    UdpTruncated,
    UdpBadChecksum,
    UdpNoListener,

    // TCP
    TcpTruncated,
    TcpBadChecksum,
    TcpBadOptions,
    TcpNoConnection,
    TcpOutOfWindow,
    TcpBadAck,
    TcpDuplicate,
    TcpPaws,
    TcpListenQueueFull,
    TcpRstIgnored,

    // Transmit-side drops (counted, not received).
    ArpResolutionFailed,
    ArpQueueFull,
    NoRoute,
    /// <summary>The neighbour cache is full of unresolved entries, so a new one cannot be created.</summary>
    ArpCacheFull,
}
