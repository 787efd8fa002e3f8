namespace TinyStack.Wire;

/// <summary>One-line, tcpdump-like descriptions of whole Ethernet frames, for logs and capture notes.</summary>
public static class FrameSummary
{
    /// <summary>
    /// Describes the innermost header that parses: <c>ARP who-has 10.0.0.2 tell 10.0.0.1</c>,
    /// <c>IP 10.0.0.1 &gt; 10.0.0.2 ICMP echo request id=1 seq=3 len=56</c>, a TCP or UDP summary,
    /// or why the frame does not parse. Never throws.
    /// </summary>
    public static string Describe(ReadOnlySpan<byte> frame)
    {
        if (!EthernetFrame.TryCreate(frame, out EthernetFrame ethernet))
        {
            return $"truncated Ethernet frame ({frame.Length} bytes)";
        }

        switch (ethernet.EtherType)
        {
            case EtherType.Arp:
                return ArpPacket.TryCreate(ethernet.Payload, out ArpPacket arp)
                    ? arp.ToString()
                    : $"ARP truncated ({ethernet.Payload.Length} bytes)";
            case EtherType.Ipv4:
                return Ipv4Packet.TryCreate(ethernet.Payload, out Ipv4Packet ip, out DropReason error)
                    ? ip.ToString()
                    : $"IPv4 malformed ({error}, {ethernet.Payload.Length} bytes)";
            default:
                return $"{ethernet.ToHeader()} len {ethernet.Payload.Length}";
        }
    }
}
