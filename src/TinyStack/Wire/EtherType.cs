namespace TinyStack.Wire;

/// <summary>EtherType values (IEEE 802 numbers registered with IANA) that the stack recognises.</summary>
public static class EtherType
{
    public const ushort Ipv4 = 0x0800;

    public const ushort Arp = 0x0806;

    /// <summary>IEEE 802.1Q customer VLAN tag (C-tag).</summary>
    public const ushort Vlan = 0x8100;

    /// <summary>IEEE 802.1ad service VLAN tag (S-tag, "QinQ").</summary>
    public const ushort QinQ = 0x88A8;

    public const ushort Ipv6 = 0x86DD;

    /// <summary>A short name for summaries: "IPv4", "ARP", ... or the value in hex.</summary>
    public static string Name(ushort etherType) => etherType switch
    {
        Ipv4 => "IPv4",
        Arp => "ARP",
        Vlan => "802.1Q",
        QinQ => "802.1ad",
        Ipv6 => "IPv6",
        _ => $"0x{etherType:x4}",
    };
}
