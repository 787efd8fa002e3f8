using TinyStack.Tcp;
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

    /// <summary>
    /// Bytes of datagrams held per unresolved neighbour (Linux unres_qlen_bytes = 212992). When
    /// either queue limit is reached the oldest datagram is dropped, keeping the latest
    /// (RFC 1122 §2.3.2.2).
    /// </summary>
    public int ArpPendingQueueBytes { get; init; } = 212_992;

    /// <summary>Most neighbours kept in the cache.</summary>
    public int ArpCacheCapacity { get; init; } = 1024;

    /// <summary>
    /// How long an entry that went stale (older than <see cref="ArpEntryLifetime"/>) is kept if
    /// nothing is sent to it (Linux gc_stale_time = 60 s). Sending to a stale entry refreshes it.
    /// </summary>
    public Duration ArpStaleEntryLifetime { get; init; } = Duration.FromSeconds(60);

    /// <summary>How long an incomplete datagram waits for its fragments (Linux ipfrag_time = 30 s).</summary>
    public Duration ReassemblyTimeout { get; init; } = Duration.FromSeconds(30);

    /// <summary>Bytes all reassembly buffers may hold at once (Linux ipfrag_high_thresh = 4 MiB).</summary>
    public int ReassemblyMemoryLimit { get; init; } = 4 * 1024 * 1024;

    /// <summary>Datagrams reassembled at once.</summary>
    public int ReassemblyMaxDatagrams { get; init; } = 64;

    /// <summary>
    /// Token-bucket rate limit on the ICMP errors we send: one token is earned per interval and
    /// each error spends one. Like Linux's net.ipv4.icmp_ratelimit = 1000 ms with its burst of 6,
    /// but one bucket for all destinations (a host talks to few peers, and one bucket also caps
    /// the total). Echo replies are not limited, as in Linux (icmp_ratemask).
    /// </summary>
    public Duration IcmpErrorInterval { get; init; } = Duration.FromMilliseconds(1000);

    /// <summary>Errors that may be sent back to back before <see cref="IcmpErrorInterval"/> applies.</summary>
    public int IcmpErrorBurst { get; init; } = 6;

    /// <summary>
    /// Ignore echo requests sent to a broadcast address (Linux icmp_echo_ignore_broadcasts = 1;
    /// RFC 1122 §3.2.2.6 allows either; answering them makes the host a smurf amplifier).
    /// </summary>
    public bool IcmpEchoIgnoreBroadcasts { get; init; } = true;

    /// <summary>Whether to announce our address with a gratuitous ARP when the stack starts.</summary>
    public bool SendGratuitousArp { get; init; } = true;

    /// <summary>TCP buffer sizes, timers and options (defaults follow Linux).</summary>
    public TcpSettings Tcp { get; init; } = new();

    /// <summary>Receives notable events and drop reasons; null for silence.</summary>
    public IStackLogger? Logger { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (Mac.IsMulticast || Mac == MacAddress.Zero)
        {
            throw new ArgumentException($"Mac {Mac} must be a unicast address; use a locally administered one like 02:00:00:00:00:02.", nameof(Mac));
        }

        Ipv4Address address = Address.Address;
        if (address.IsUnspecified || address.IsMulticast || address.IsReserved || address.IsLoopback
            || (Address.PrefixLength < 31 && (address == Address.Network || address == Address.DirectedBroadcast)))
        {
            throw new ArgumentException($"Address {Address} is not a usable host address; use e.g. 10.0.0.2/24.", nameof(Address));
        }

        if (Gateway is Ipv4Address gateway && (!Address.Contains(gateway) || gateway == address))
        {
            throw new ArgumentException($"Gateway {gateway} must be another host inside {Address.Network}/{Address.PrefixLength}.", nameof(Gateway));
        }

        // RFC 791: every host must accept 68-byte datagrams; 65535 is the largest IPv4 datagram.
        if (Mtu is < 68 or > 65535)
        {
            throw new ArgumentException($"Mtu {Mtu} is out of range; use 68..65535 (1500 for Ethernet).", nameof(Mtu));
        }

        if (DefaultTtl == 0)
        {
            throw new ArgumentException("DefaultTtl must be at least 1 (RFC 1122 §3.2.1.7: never send TTL 0).", nameof(DefaultTtl));
        }

        RequirePositive(ArpEntryLifetime, nameof(ArpEntryLifetime));
        RequirePositive(ArpStaleEntryLifetime, nameof(ArpStaleEntryLifetime));
        RequirePositive(ArpRetryInterval, nameof(ArpRetryInterval));
        RequirePositive(ReassemblyTimeout, nameof(ReassemblyTimeout));
        RequirePositive(IcmpErrorInterval, nameof(IcmpErrorInterval));
        RequirePositive(ArpMaxRequests, nameof(ArpMaxRequests));
        RequirePositive(ArpPendingQueueLength, nameof(ArpPendingQueueLength));
        RequirePositive(ArpPendingQueueBytes, nameof(ArpPendingQueueBytes));
        RequirePositive(ArpCacheCapacity, nameof(ArpCacheCapacity));
        RequirePositive(ReassemblyMemoryLimit, nameof(ReassemblyMemoryLimit));
        RequirePositive(ReassemblyMaxDatagrams, nameof(ReassemblyMaxDatagrams));
        RequirePositive(IcmpErrorBurst, nameof(IcmpErrorBurst));
    }

    private static void RequirePositive(Duration value, string name)
    {
        if (value <= Duration.Zero)
        {
            throw new ArgumentException($"{name} must be a positive duration, not {value}.", name);
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be at least 1, not {value}.", name);
        }
    }
}
