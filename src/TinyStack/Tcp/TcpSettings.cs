using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;
using TinyStack.Time;

namespace TinyStack.Tcp;

/// <summary>
/// Everything that tunes the TCP engine. Defaults follow Linux (the sysctl named on each
/// property) where RFC 9293 leaves the choice open; every timer can be shortened for tests.
/// A record, so that a variant is one <c>with</c> expression away.
/// </summary>
public sealed record TcpSettings
{
    /// <summary>Largest send buffer of one connection (Linux tcp_wmem max is larger; 256 KiB is plenty on a LAN).</summary>
    public int SendBufferSize { get; init; } = 256 * 1024;

    /// <summary>Largest receive buffer of one connection; it bounds the advertised window.</summary>
    public int ReceiveBufferSize { get; init; } = 256 * 1024;

    /// <summary>First allocation of a ring buffer; it doubles as data flows, up to the limits above.</summary>
    public int InitialBufferSize { get; init; } = 4 * 1024;

    /// <summary>Maximum segment lifetime; TIME-WAIT lasts 2*MSL (Linux TCP_TIMEWAIT_LEN = 60 s, so MSL = 30 s).</summary>
    public Duration Msl { get; init; } = Duration.FromSeconds(30);

    /// <summary>
    /// Most connections held in TIME-WAIT at once (Linux's net.ipv4.tcp_max_tw_buckets, 131072 on
    /// this project's machines). Beyond it a connection that would enter TIME-WAIT is forgotten at
    /// once and counted in <see cref="TcpStats.TimeWaitOverflows"/>, as Linux does: memory stays
    /// bounded under a flood of short connections from many addresses.
    /// </summary>
    public int MaxTimeWait { get; init; } = 131_072;

    /// <summary>How long an orphaned FIN-WAIT-2 connection waits for the peer's FIN (Linux tcp_fin_timeout = 60 s).</summary>
    public Duration FinWait2Timeout { get; init; } = Duration.FromSeconds(60);

    /// <summary>Initial retransmission timeout (RFC 6298 §2.1: 1 s).</summary>
    public Duration InitialRto { get; init; } = Duration.FromSeconds(1);

    /// <summary>Lower bound of the RTO (Linux TCP_RTO_MIN = 200 ms; RFC 6298 suggests 1 s).</summary>
    public Duration MinRto { get; init; } = Duration.FromMilliseconds(200);

    /// <summary>Upper bound of the RTO (Linux TCP_RTO_MAX = 120 s; RFC 6298 allows >= 60 s).</summary>
    public Duration MaxRto { get; init; } = Duration.FromSeconds(120);

    /// <summary>Retransmissions of a SYN before connect fails (Linux tcp_syn_retries = 6).</summary>
    public int SynRetries { get; init; } = 6;

    /// <summary>Retransmissions of a SYN-ACK before the half-open connection is dropped (Linux tcp_synack_retries = 5).</summary>
    public int SynAckRetries { get; init; } = 5;

    /// <summary>RTO retransmissions of data before the connection is aborted (Linux tcp_retries2 = 15).</summary>
    public int MaxRetransmissions { get; init; } = 15;

    /// <summary>
    /// RFC 5482 user timeout: abort when data stays unacknowledged this long (Linux TCP_USER_TIMEOUT).
    /// Null leaves the decision to <see cref="MaxRetransmissions"/>.
    /// </summary>
    public Duration? UserTimeout { get; init; }

    /// <summary>Delayed ACK timer (RFC 9293 §3.8.6.3 allows up to 500 ms; Linux's minimum, 40 ms).</summary>
    public Duration DelayedAckTimeout { get; init; } = Duration.FromMilliseconds(40);

    /// <summary>Disables Nagle's algorithm for new connections (TCP_NODELAY).</summary>
    public bool NoDelay { get; init; }

    /// <summary>Sends keepalive probes on idle connections (SO_KEEPALIVE; off by default).</summary>
    public bool KeepAlive { get; init; }

    /// <summary>Idle time before the first keepalive probe (Linux tcp_keepalive_time = 7200 s).</summary>
    public Duration KeepAliveTime { get; init; } = Duration.FromSeconds(7200);

    /// <summary>Time between unanswered keepalive probes (Linux tcp_keepalive_intvl = 75 s).</summary>
    public Duration KeepAliveInterval { get; init; } = Duration.FromSeconds(75);

    /// <summary>Unanswered probes before the connection is aborted (Linux tcp_keepalive_probes = 9).</summary>
    public int KeepAliveProbes { get; init; } = 9;

    /// <summary>Zero-window probes without any answer before the connection is aborted (Linux uses tcp_retries2).</summary>
    public int MaxZeroWindowProbes { get; init; } = 15;

    /// <summary>Challenge ACKs sent per second across the stack (RFC 5961 §7; Linux tcp_challenge_ack_limit = 1000).</summary>
    public int ChallengeAckLimit { get; init; } = 1000;

    /// <summary>Negotiate timestamps (RFC 7323; Linux tcp_timestamps = 1).</summary>
    public bool Timestamps { get; init; } = true;

    /// <summary>Negotiate selective acknowledgements (RFC 2018; Linux tcp_sack = 1).</summary>
    public bool Sack { get; init; } = true;

    /// <summary>Report duplicate segments with D-SACK blocks (RFC 2883; Linux tcp_dsack = 1).</summary>
    public bool DSack { get; init; } = true;

    /// <summary>Negotiate window scaling (RFC 7323 §2; Linux tcp_window_scaling = 1).</summary>
    public bool WindowScaling { get; init; } = true;

    /// <summary>Answer SYNs with cookies when the SYN queue is full (RFC 4987 §3.6; Linux tcp_syncookies = 1).</summary>
    public bool SynCookies { get; init; } = true;

    /// <summary>Smallest ephemeral port (Linux ip_local_port_range = 32768..60999).</summary>
    public ushort EphemeralPortFirst { get; init; } = 32768;

    /// <summary>Largest ephemeral port.</summary>
    public ushort EphemeralPortLast { get; init; } = 60999;

    /// <summary>Duplicate ACKs that trigger fast retransmit (RFC 5681 §3.2: 3).</summary>
    public int DupThresh { get; init; } = 3;

    /// <summary>Most out-of-order ranges held in a receive buffer; a segment that would need more is dropped.</summary>
    public int MaxOutOfOrderRanges { get; init; } = 8;

    /// <summary>
    /// Upper bound on the MSS we offer and use (like Linux TCP_MAXSEG, or an MSS clamp on a
    /// router); null leaves it to the path MTU less 40 (RFC 9293 §3.7.1).
    /// </summary>
    public int? MssClamp { get; init; }

    /// <summary>MSS assumed when the peer sends none (RFC 9293 §3.7.1: 536).</summary>
    public int DefaultMss { get; init; } = 536;

    /// <summary>Smallest MSS an ICMP "fragmentation needed" may force (Linux min_pmtu 552 - 40).</summary>
    public int MinMss { get; init; } = 512;

    /// <summary>
    /// Creates the congestion controller of each new connection, given its sender MSS: CUBIC by
    /// default (as Linux), or e.g. <see cref="CongestionControlAlgorithms.NewReno"/>, or
    /// <c>mss => new NewReno(mss, initialWindowSegments: 4)</c>. See <see cref="CongestionControlAlgorithms"/>.
    /// </summary>
    public Func<int, ICongestionControl> CongestionControl { get; init; } = CongestionControlAlgorithms.Cubic;

    /// <summary>
    /// RACK-TLP (RFC 8985) on SACK connections: time-based loss detection, which also catches lost
    /// retransmissions, and tail loss probes, so a lost retransmission or last segment costs about
    /// one RTT instead of an RTO. On by default, as in Linux (net.ipv4.tcp_recovery = 1); turn it
    /// off to compare. Duplicate-ACK and SACK counting stay in force either way.
    /// </summary>
    public bool RackTlp { get; init; } = true;

    /// <summary>
    /// Rows of congestion trace each connection keeps (<see cref="TcpConnection.Trace"/>), from its
    /// establishment on; 0 (the default) records nothing. See <see cref="TcpTrace.DefaultCapacity"/>.
    /// </summary>
    public int TraceCapacity { get; init; }

    /// <summary>Told when each connection's trace starts and completes (e.g. to write it to a file); optional.</summary>
    public ITcpTraceSink? TraceSink { get; init; }

    /// <summary>Throws if a value cannot work, with a message saying which and why.</summary>
    public void Validate()
    {
        Require(SendBufferSize is >= 1024 and <= (1 << 30), nameof(SendBufferSize), "must be 1 KiB..1 GiB");
        Require(ReceiveBufferSize is >= 1024 and <= (1 << 30), nameof(ReceiveBufferSize), "must be 1 KiB..1 GiB (window scaling allows 1 GiB)");
        Require(InitialBufferSize is >= 256 && InitialBufferSize <= Math.Min(SendBufferSize, ReceiveBufferSize), nameof(InitialBufferSize), "must be 256 bytes..the smaller buffer limit");
        Require(MinRto > Duration.Zero && MinRto <= InitialRto && InitialRto <= MaxRto, nameof(MinRto), "must satisfy 0 < MinRto <= InitialRto <= MaxRto");
        Require(Msl >= Duration.Zero && FinWait2Timeout >= Duration.Zero && DelayedAckTimeout >= Duration.Zero, nameof(Msl), "timers must not be negative");
        Require(SynRetries >= 0 && SynAckRetries >= 0 && MaxRetransmissions >= 1 && MaxZeroWindowProbes >= 1, nameof(MaxRetransmissions), "retry counts must be positive");
        Require(KeepAliveProbes >= 1 && KeepAliveTime > Duration.Zero && KeepAliveInterval > Duration.Zero, nameof(KeepAliveProbes), "keepalive timings must be positive");
        Require(ChallengeAckLimit >= 0, nameof(ChallengeAckLimit), "must not be negative");
        Require(MaxTimeWait >= 0, nameof(MaxTimeWait), "must not be negative");
        Require(EphemeralPortFirst >= 1 && EphemeralPortFirst <= EphemeralPortLast, nameof(EphemeralPortFirst), "must be 1..EphemeralPortLast");
        Require(DupThresh >= 1 && MaxOutOfOrderRanges is >= 1 and <= 64, nameof(DupThresh), "DupThresh >= 1 and MaxOutOfOrderRanges 1..64");
        Require(DefaultMss >= 88 && MinMss >= 88, nameof(DefaultMss), "must be at least 88 bytes");
        Require(MssClamp is null or (>= 88 and <= ushort.MaxValue - 40), nameof(MssClamp), "must be 88..65495 bytes, or null for no clamp");
        Require(TraceCapacity is >= 0 and <= TcpTrace.MaxCapacity, nameof(TraceCapacity), "must be 0 (off)..16777216 rows");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"TcpSettings.{name} {rule}; fix the setting.", name);
        }
    }
}
