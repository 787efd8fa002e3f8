using TinyStack.Time;

namespace TinyStack.Tcp.Congestion;

/// <summary>
/// A congestion control algorithm (RFC 5681 and successors): it owns cwnd and ssthresh, and the
/// connection tells it what happened. Loss detection and the choice of what to retransmit stay in
/// the connection (RFC 6675 scoreboard, pipe and NextSeg; RFC 6582 partial ACKs), so an algorithm
/// decides only "how much may be in flight". Every call receives <c>now</c>: the algorithm never
/// reads a clock. One algorithm per file (<see cref="NewReno"/>, <see cref="Cubic"/>).
/// </summary>
/// <remarks>
/// The connection calls, in this order for one ACK: <see cref="OnRttSample"/> (when the ACK gave
/// a valid sample), then <see cref="OnAck"/>, then <see cref="OnRecoveryComplete"/> or
/// <see cref="OnLossDetected"/> when the ACK ended or began recovery. A new algorithm is created
/// per connection, with the sender MSS, by <see cref="TcpSettings.CongestionControl"/> (or
/// <see cref="TcpConnection.CongestionControlFactory"/>).
/// </remarks>
public interface ICongestionControl
{
    /// <summary>Short name for logs, traces and captures ("cubic", "newreno").</summary>
    string Name { get; }

    /// <summary>Congestion window in bytes: how much may be in flight.</summary>
    uint Cwnd { get; }

    /// <summary>Slow start threshold in bytes (<see cref="uint.MaxValue"/> until the first congestion event).</summary>
    uint Ssthresh { get; }

    /// <summary>Which growth rule applies now (slow start, HyStart++'s conservative slow start, avoidance).</summary>
    CongestionPhase Phase { get; }

    /// <summary>
    /// New data was cumulatively acknowledged: the bytes acknowledged, what was in flight before and
    /// after, SND.UNA and SND.NXT (round tracking), and whether fast recovery holds the window.
    /// </summary>
    void OnAck(in CongestionAck ack);

    /// <summary>A valid RTT sample was taken (RFC 6298 with Karn's rule, or RFC 7323 timestamps).</summary>
    void OnRttSample(Instant now, Duration rtt);

    /// <summary>
    /// Loss was detected by duplicate ACKs or SACK and fast recovery begins (RFC 5681 §3.2,
    /// RFC 6675 §5): the multiplicative decrease. <paramref name="bytesInFlight"/> is FlightSize.
    /// </summary>
    void OnLossDetected(Instant now, uint bytesInFlight);

    /// <summary>Fast recovery ended: the recovery point was acknowledged (RFC 6582 §3.2 step 3, full ACK).</summary>
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
