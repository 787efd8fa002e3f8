namespace TinyStack.Tcp.Congestion;

/// <summary>Where a connection's congestion control is, for traces and tests.</summary>
public enum CongestionPhase : byte
{
    /// <summary>cwnd &lt; ssthresh: exponential growth (RFC 5681 §3.1).</summary>
    SlowStart,

    /// <summary>HyStart++ saw the RTT rise and grows at a quarter of the slow start rate (RFC 9406 §4.2).</summary>
    ConservativeSlowStart,

    /// <summary>cwnd &gt;= ssthresh: linear (Reno) or cubic growth.</summary>
    CongestionAvoidance,

    /// <summary>Fast recovery after duplicate ACKs or SACK (RFC 6675 §5); set by the connection.</summary>
    FastRecovery,

    /// <summary>Recovery after a retransmission timeout until the recovery point is acknowledged; set by the connection.</summary>
    LossRecovery,
}
