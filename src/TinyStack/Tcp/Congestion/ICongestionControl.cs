using TinyStack.Time;

namespace TinyStack.Tcp.Congestion;

/// <summary>
/// A congestion control algorithm (RFC 5681 and successors): it owns cwnd and ssthresh, and the
/// connection tells it what happened. Loss detection and the choice of what to retransmit stay in
/// the connection (RFC 6675), so an algorithm decides only "how much may be in flight".
/// Every call receives <c>now</c>: the algorithm never reads a clock. One algorithm per file.
/// </summary>
public interface ICongestionControl
{
    /// <summary>Short name for logs and captures ("reno").</summary>
    string Name { get; }

    /// <summary>Congestion window in bytes: how much may be in flight.</summary>
    uint Cwnd { get; }

    /// <summary>Slow start threshold in bytes.</summary>
    uint Ssthresh { get; }

    /// <summary>
    /// New data was cumulatively acknowledged. <paramref name="priorInFlight"/> is what was in
    /// flight before this ACK (it tells whether the sender was cwnd-limited);
    /// <paramref name="inRecovery"/> is true during fast recovery, when RFC 6675 holds cwnd.
    /// </summary>
    void OnAck(Instant now, uint ackedBytes, uint priorInFlight, bool inRecovery);

    /// <summary>A valid RTT sample was taken (delay-based algorithms use it; Reno ignores it).</summary>
    void OnRttSample(Instant now, Duration rtt);

    /// <summary>Loss was detected by duplicate ACKs or SACK: fast recovery begins (RFC 5681 §3.2, RFC 6675 §5).</summary>
    void OnLossDetected(Instant now, uint bytesInFlight);

    /// <summary>Fast recovery ended: the recovery point was acknowledged.</summary>
    void OnRecoveryComplete(Instant now);

    /// <summary>
    /// The retransmission timer expired (RFC 5681 §3.1). <paramref name="firstTimeout"/> is false for
    /// the repeated timeouts of one backoff series, which must not lower ssthresh again.
    /// </summary>
    void OnRetransmitTimeout(Instant now, uint bytesInFlight, bool firstTimeout);

    /// <summary>Sending resumes after an idle period longer than the RTO (RFC 5681 §4.1).</summary>
    void OnRestartAfterIdle(Instant now);

    /// <summary>The sender MSS changed (path MTU discovery).</summary>
    void OnMssChanged(int mss);
}
