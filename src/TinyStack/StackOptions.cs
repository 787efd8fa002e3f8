using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack;

/// <summary>
/// Everything that configures one stack instance. Every timer has Linux's default and can be
/// shortened, so tests run fast without sleeping.
/// </summary>
public sealed class StackOptions
{
    /// <summary>Our MAC address. The default is locally administered and stable across runs.</summary>
    public MacAddress Mac { get; init; } = MacAddress.Parse("02:00:00:00:00:02");

    /// <summary>Our address and on-link prefix, e.g. 10.0.0.2/24.</summary>
    public Ipv4Cidr Address { get; init; } = Ipv4Cidr.Parse("10.0.0.2/24");

    /// <summary>The default gateway, or null for on-link destinations only.</summary>
    public Ipv4Address? Gateway { get; init; }

    /// <summary>Largest IP datagram the link carries.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>Seed for every random choice the stack makes (IP ID, ISN key, ports, jitter).</summary>
    public ulong Seed { get; init; } = 0x5EED_7157_AC4B_0001UL;

    /// <summary>Default TTL of datagrams we originate (Linux: net.ipv4.ip_default_ttl = 64).</summary>
    public byte DefaultTtl { get; init; } = 64;

    /// <summary>How long a resolved ARP entry is trusted before it is refreshed (Linux base_reachable_time ~30 s).</summary>
    public Duration ArpEntryLifetime { get; init; } = Duration.FromSeconds(30);

    /// <summary>Interval between ARP request retransmissions (Linux retrans_time = 1 s).</summary>
    public Duration ArpRetryInterval { get; init; } = Duration.FromSeconds(1);

    /// <summary>ARP requests sent before resolution fails (Linux mcast_solicit = 3).</summary>
    public int ArpMaxRequests { get; init; } = 3;

    /// <summary>Datagrams held per unresolved neighbour (Linux unres_qlen, in packets).</summary>
    public int ArpPendingQueueLength { get; init; } = 101;

    /// <summary>Most neighbours kept in the cache.</summary>
    public int ArpCacheCapacity { get; init; } = 1024;

    /// <summary>How long an incomplete datagram waits for its fragments (Linux ipfrag_time = 30 s).</summary>
    public Duration ReassemblyTimeout { get; init; } = Duration.FromSeconds(30);

    /// <summary>Bytes all reassembly buffers may hold at once (Linux ipfrag_high_thresh = 4 MiB).</summary>
    public int ReassemblyMemoryLimit { get; init; } = 4 * 1024 * 1024;

    /// <summary>Datagrams reassembled at once.</summary>
    public int ReassemblyMaxDatagrams { get; init; } = 64;

    /// <summary>Whether to announce our address with a gratuitous ARP when the stack starts.</summary>
    public bool SendGratuitousArp { get; init; } = true;

    /// <summary>Receives notable events and drop reasons; null for silence.</summary>
    public IStackLogger? Logger { get; init; }
}
