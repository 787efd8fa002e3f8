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

    // ARP
    ArpMalformed,
    ArpUnsupported,
    ArpNotForUs,

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
    Ipv4UnknownProtocol,

    // ICMP
    IcmpTruncated,
    IcmpBadChecksum,
    IcmpUnsupportedType,
    IcmpRateLimited,

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
}
