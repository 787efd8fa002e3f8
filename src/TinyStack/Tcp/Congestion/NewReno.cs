using TinyStack.Time;

namespace TinyStack.Tcp.Congestion;

/// <summary>
/// NewReno congestion control: RFC 5681 slow start and congestion avoidance with appropriate byte
/// counting (RFC 3465, L = 2*SMSS), halving on loss, the loss window after a timeout, restart
/// after idle (RFC 5681 §4.1), and an initial window of ten segments (RFC 6928).
/// </summary>
/// <remarks>
/// Fast retransmit, limited transmit (RFC 3042) and RFC 6582's partial-ACK rule are carried out
/// by the connection, which keeps the recovery state (RecoveryPoint, RFC 6582's "recover"). The
/// connection accounts for recovery with RFC 6675's pipe instead of inflating cwnd: each
/// duplicate ACK takes one segment out of pipe (RFC 5681's "cwnd + 3*SMSS" and "+SMSS per
/// duplicate"), and a partial ACK takes the acknowledged bytes out of pipe and sends the next
/// hole at once (RFC 6582 §3.2 step 5: "deflate by the amount acknowledged, add back one SMSS").
/// So this class holds cwnd at ssthresh for the whole recovery, and on the full ACK keeps
/// cwnd = ssthresh (RFC 6582 §3.2 step 3, option 2, as Linux).
/// </remarks>
public sealed class NewReno : ICongestionControl
{
    /// <summary>RFC 3465 §2.2: slow start counts at most L = 2 segments per ACK.</summary>
    public const int AbcLimitSegments = 2;

    /// <summary>RFC 6928: ten segments.</summary>
    public const int DefaultInitialWindowSegments = 10;

    private readonly int _initialWindowSegments;
    private int _mss;
    private uint _bytesAckedInAvoidance;

    /// <param name="mss">The sender MSS (SMSS) in bytes.</param>
    /// <param name="initialWindowSegments">Segments in the initial window (RFC 6928: 10; RFC 3390: 3 or 4).</param>
    public NewReno(int mss, int initialWindowSegments = DefaultInitialWindowSegments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mss, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialWindowSegments, 1);
        _mss = mss;
        _initialWindowSegments = initialWindowSegments;
        Cwnd = InitialWindow(mss, initialWindowSegments);
        Ssthresh = uint.MaxValue;
    }

    public string Name => "newreno";

    public uint Cwnd { get; private set; }

    public uint Ssthresh { get; private set; }

    public CongestionPhase Phase => Cwnd < Ssthresh ? CongestionPhase.SlowStart : CongestionPhase.CongestionAvoidance;

    /// <summary>
    /// RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)), as Linux (TCP_INIT_CWND = 10). Another
    /// segment count scales the byte cap in proportion: min(n*MSS, max(2*MSS, n*1460)).
    /// </summary>
    public static uint InitialWindow(int mss, int segments = DefaultInitialWindowSegments) =>
        (uint)Math.Min((long)segments * mss, Math.Max(2L * mss, segments * 1460L));

    public void OnAck(in CongestionAck ack)
    {
        if (ack.InRecovery || ack.AckedBytes == 0)
        {
            // RFC 6675 §5 / RFC 6582: during recovery pipe governs sending; cwnd stays at ssthresh.
            return;
        }

        if (Cwnd < Ssthresh)
        {
            // Grow only when the window was being used (RFC 7661's idea, as Linux
            // tcp_is_cwnd_limited: in slow start, half of it in flight counts as used).
            if ((ulong)ack.PriorInFlight * 2 < Cwnd)
            {
                return;
            }

            // RFC 3465 §2.2: cwnd += min(N, L*SMSS), so a stretch ACK cannot cause a burst.
            Cwnd = SaturatingAdd(Cwnd, Math.Min(ack.AckedBytes, (uint)(AbcLimitSegments * _mss)));
            return;
        }

        if ((ulong)ack.PriorInFlight + (uint)_mss < Cwnd)
        {
            return;
        }

        // RFC 3465 §2.1 / RFC 5681 §3.1 equation 3's byte-counting form: one SMSS for every cwnd
        // bytes acknowledged, so delayed ACKs do not halve the growth.
        _bytesAckedInAvoidance += ack.AckedBytes;
        if (_bytesAckedInAvoidance >= Cwnd)
        {
            _bytesAckedInAvoidance -= Cwnd;
            Cwnd = SaturatingAdd(Cwnd, (uint)_mss);
        }
    }

    public void OnRttSample(Instant now, Duration rtt)
    {
        // Loss-based: RTT does not steer NewReno.
    }

    public void OnLossDetected(Instant now, uint bytesInFlight)
    {
        // RFC 5681 §3.2 step 2 (equation 4): ssthresh = max(FlightSize / 2, 2*SMSS);
        // RFC 6675 §5 step 4.2: cwnd = ssthresh.
        Ssthresh = HalfFlight(bytesInFlight);
        Cwnd = Ssthresh;
        _bytesAckedInAvoidance = 0;
    }

    public void OnRecoveryComplete(Instant now)
    {
        // RFC 6582 §3.2 step 3 (full acknowledgment), option 2: cwnd = ssthresh.
        Cwnd = Ssthresh;
    }

    public void OnRetransmitTimeout(Instant now, uint bytesInFlight, bool firstTimeout)
    {
        // RFC 5681 §3.1: ssthresh per equation 4 on the first timeout only (a repeated timeout
        // would halve an already collapsed flight), and cwnd = the loss window, 1 SMSS.
        if (firstTimeout)
        {
            Ssthresh = HalfFlight(bytesInFlight);
        }

        Cwnd = (uint)_mss;
        _bytesAckedInAvoidance = 0;
    }

    public void OnRestartAfterIdle(Instant now)
    {
        // RFC 5681 §4.1: after an idle period longer than the RTO, cwnd = min(RW, cwnd) with RW = IW.
        Cwnd = Math.Min(Cwnd, InitialWindow(_mss, _initialWindowSegments));
    }

    public void OnMssChanged(int mss)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mss, 1);
        _mss = mss;
        Cwnd = Math.Max(Cwnd, (uint)mss);
    }

    private uint HalfFlight(uint bytesInFlight) => Math.Max(bytesInFlight / 2, 2u * (uint)_mss);

    private static uint SaturatingAdd(uint a, uint b) => a > uint.MaxValue - b ? uint.MaxValue : a + b;
}
