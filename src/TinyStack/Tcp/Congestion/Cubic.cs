using TinyStack.Time;

namespace TinyStack.Tcp.Congestion;

/// <summary>
/// CUBIC congestion control (RFC 9438), the default as in Linux. After a congestion event the
/// window follows W_cubic(t) = C*(t - K)^3 + W_max: it climbs quickly back towards the window
/// where loss happened (W_max), flattens around it, then probes beyond it ever faster. Windows
/// are counted in segments and time in seconds, as in the RFC.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Multiplicative decrease by beta = 0.7 (§4.6) and fast convergence (§4.7).</item>
/// <item>The Reno-friendly region (§4.3): W_est follows what Reno would have reached, and cwnd
/// never falls below it, so CUBIC is never slower than Reno on short-RTT paths.</item>
/// <item>Slow start with HyStart++ (RFC 9406) for the initial slow start, standard slow start
/// (RFC 5681 with RFC 3465 byte counting) after a timeout (§4.10).</item>
/// <item>A timeout (§4.8): ssthresh by beta, cwnd = 1 SMSS, and the next avoidance stage starts
/// with K = 0 and W_max = cwnd at its start.</item>
/// <item>Growth per acknowledged segment, (target - cwnd) / cwnd, as Linux counts it, so that a
/// delayed-ACK receiver does not halve the rate (the RFC states it per ACK).</item>
/// </list>
/// Recovery itself (pipe, partial ACKs) is the connection's, as for <see cref="NewReno"/>.
/// </remarks>
public sealed class Cubic : ICongestionControl
{
    /// <summary>RFC 9438 §5: C = 0.4 (segments per second cubed).</summary>
    public const double C = 0.4;

    /// <summary>RFC 9438 §4.6: beta_cubic = 0.7.</summary>
    public const double Beta = 0.7;

    /// <summary>RFC 9438 §4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta), Reno's average rate at CUBIC's beta.</summary>
    public const double RenoFriendlyAlpha = 3 * (1 - Beta) / (1 + Beta);

    private readonly uint _initialWindow;
    private int _mss;
    private double _cwnd;
    private bool _epochStarted;
    private Instant _epochStart;
    private Instant _lastAck;
    private bool _afterTimeout;
    private double _alpha = RenoFriendlyAlpha;

    /// <param name="mss">The sender MSS (SMSS) in bytes.</param>
    /// <param name="initialWindowSegments">Segments in the initial window (RFC 6928: 10).</param>
    /// <param name="fastConvergence">RFC 9438 §4.7 (on by default, as Linux).</param>
    /// <param name="hyStart">Use HyStart++ (RFC 9406) for the initial slow start (on by default).</param>
    public Cubic(int mss, int initialWindowSegments = NewReno.DefaultInitialWindowSegments, bool fastConvergence = true, bool hyStart = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mss, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialWindowSegments, 1);
        _mss = mss;
        _initialWindow = NewReno.InitialWindow(mss, initialWindowSegments);
        _cwnd = _initialWindow;
        Ssthresh = uint.MaxValue;
        FastConvergence = fastConvergence;
        HyStart = hyStart ? new HyStartPlusPlus() : null;
    }

    public string Name => "cubic";

    public uint Cwnd => _cwnd >= uint.MaxValue ? uint.MaxValue : (uint)_cwnd;

    public uint Ssthresh { get; private set; }

    public CongestionPhase Phase => _cwnd < Ssthresh
        ? (HyStart is { InConservativeSlowStart: true } ? CongestionPhase.ConservativeSlowStart : CongestionPhase.SlowStart)
        : CongestionPhase.CongestionAvoidance;

    /// <summary>Whether fast convergence (§4.7) is on.</summary>
    public bool FastConvergence { get; }

    /// <summary>The HyStart++ state of the initial slow start; null when it is off.</summary>
    public HyStartPlusPlus? HyStart { get; }

    /// <summary>W_max in segments: the window before the last reduction (lowered by fast convergence).</summary>
    public double WMax { get; private set; }

    /// <summary>K in seconds: when W_cubic reaches W_max again, counted from the epoch start.</summary>
    public double K { get; private set; }

    /// <summary>W_est in segments: the window Reno would have (§4.3).</summary>
    public double WEst { get; private set; }

    /// <summary>cwnd_prior in segments: cwnd at the last congestion event.</summary>
    public double CwndPrior { get; private set; }

    /// <summary>The smoothed RTT this algorithm keeps from its samples (RFC 6298 gain 1/8).</summary>
    public Duration Srtt { get; private set; }

    /// <summary>When the current congestion avoidance stage began (t = 0), if one has.</summary>
    public Instant? EpochStart => _epochStarted ? _epochStart : null;

    /// <summary>RFC 9438 Figure 1: W_cubic(t) = C*(t - K)^3 + W_max, in segments, t and K in seconds.</summary>
    public static double WCubic(double t, double wMax, double k)
    {
        double d = t - k;
        return (C * d * d * d) + wMax;
    }

    /// <summary>RFC 9438 Figure 2: K = cbrt((W_max - cwnd_epoch) / C), in seconds.</summary>
    public static double CubicK(double wMax, double cwndEpoch) => Math.Cbrt((wMax - cwndEpoch) / C);

    public void OnAck(in CongestionAck ack)
    {
        if (ack.InRecovery || ack.AckedBytes == 0)
        {
            // RFC 6675 §5: pipe governs recovery; cwnd stays where the decrease put it.
            return;
        }

        _lastAck = ack.Now;
        if (_cwnd < Ssthresh)
        {
            SlowStart(ack);
            return;
        }

        // Grow only when the window was being used (as Linux tcp_is_cwnd_limited): an
        // application-limited sender has not shown that the network can take more.
        if ((double)ack.PriorInFlight + _mss < _cwnd)
        {
            return;
        }

        double cwnd = _cwnd / _mss;
        if (!_epochStarted)
        {
            StartEpoch(ack.Now, cwnd);
        }

        // §4.2: t is the time since the epoch began; the target is where the curve will be one RTT on.
        double t = (ack.Now - _epochStart).TotalSeconds;
        double target = WCubic(t + Srtt.TotalSeconds, WMax, K);
        target = Math.Clamp(target, cwnd, 1.5 * cwnd);
        double segmentsAcked = ack.AckedBytes / (double)_mss;

        // §4.3: W_est grows by alpha per window acknowledged, alpha = 1 once it passes cwnd_prior.
        WEst += _alpha * segmentsAcked / cwnd;
        if (_alpha < 1 && WEst >= CwndPrior)
        {
            _alpha = 1;
        }

        double next = WCubic(t, WMax, K) < WEst
            ? Math.Max(cwnd, WEst)                                  // Reno-friendly region
            : cwnd + ((target - cwnd) / cwnd * segmentsAcked);     // concave or convex region (§4.4, §4.5)
        _cwnd = Math.Min(next * _mss, uint.MaxValue);
    }

    public void OnRttSample(Instant now, Duration rtt)
    {
        if (rtt <= Duration.Zero)
        {
            return;
        }

        // RFC 9438 §4.2 uses the smoothed RTT (RFC 6298: SRTT = 7/8 SRTT + 1/8 R').
        Srtt = Srtt == Duration.Zero ? rtt : Duration.FromMicroseconds(((Srtt.Microseconds * 7) + rtt.Microseconds) / 8);
        HyStart?.OnRttSample(rtt);
    }

    public void OnLossDetected(Instant now, uint bytesInFlight) => Decrease(bytesInFlight);

    public void OnRecoveryComplete(Instant now)
    {
        // Recovery held cwnd at ssthresh; the avoidance stage (and its epoch) starts with the next ACK.
        _cwnd = Math.Max(Ssthresh, 2.0 * _mss);
    }

    public void OnRetransmitTimeout(Instant now, uint bytesInFlight, bool firstTimeout)
    {
        // §4.8: ssthresh as on a congestion event (first timeout of a series only), cwnd = the loss
        // window of RFC 5681, and the next avoidance stage starts with K = 0.
        if (firstTimeout)
        {
            Decrease(bytesInFlight);
        }

        _cwnd = _mss;
        _epochStarted = false;
        _afterTimeout = true;
    }

    public void OnRestartAfterIdle(Instant now)
    {
        // RFC 5681 §4.1: cwnd = min(IW, cwnd). Idle time must not count as time on the curve
        // (RFC 9438 §5.8, application-limited flows): if the window was cut, slow start leads back
        // to ssthresh and a new epoch begins there; if not, the epoch moves by the idle time (as Linux).
        if (_cwnd > _initialWindow)
        {
            _cwnd = _initialWindow;
            _epochStarted = false;
        }
        else if (_epochStarted && now > _lastAck)
        {
            _epochStart += now - _lastAck;
        }
    }

    public void OnMssChanged(int mss)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mss, 1);
        _mss = mss;
        _cwnd = Math.Max(_cwnd, mss);
    }

    private void SlowStart(in CongestionAck ack)
    {
        // Grow only when at least half the window was in flight (as NewReno).
        if ((double)ack.PriorInFlight * 2 < _cwnd)
        {
            return;
        }

        if (HyStart is { IsActive: true } hyStart)
        {
            _cwnd += hyStart.OnAck(ack, _mss, out bool enterAvoidance);
            if (enterAvoidance)
            {
                // RFC 9406 §4.2: CSS is over; congestion avoidance from the current window.
                Ssthresh = Cwnd;
            }

            return;
        }

        // RFC 5681 §3.1 with RFC 3465 §2.2: cwnd += min(N, 2*SMSS).
        _cwnd += Math.Min(ack.AckedBytes, (uint)(NewReno.AbcLimitSegments * _mss));
    }

    /// <summary>§4.6 multiplicative decrease with §4.7 fast convergence; the epoch restarts.</summary>
    private void Decrease(uint bytesInFlight)
    {
        double cwnd = _cwnd / _mss;

        // §4.7: a window lower than the last W_max means the flow's share shrank; release some
        // of it to newer flows by remembering a lower plateau.
        WMax = FastConvergence && cwnd < WMax ? cwnd * (1 + Beta) / 2 : cwnd;
        CwndPrior = cwnd;

        // §4.6: ssthresh = max(flight_size * beta_cubic, 2 segments); cwnd = ssthresh. Integer
        // arithmetic (beta = 7/10), so that 0.7 of a round number of bytes is exact.
        Ssthresh = (uint)Math.Max((ulong)bytesInFlight * 7 / 10, 2UL * (uint)_mss);
        _cwnd = Ssthresh;
        _epochStarted = false;
        _alpha = RenoFriendlyAlpha;
        HyStart?.Stop();
    }

    /// <summary>§4.2: a congestion avoidance stage begins: t = 0, cwnd_epoch = cwnd, K from W_max.</summary>
    private void StartEpoch(Instant now, double cwnd)
    {
        _epochStarted = true;
        _epochStart = now;
        if (_afterTimeout || WMax <= cwnd)
        {
            // §4.8 after a timeout, or after slow start without loss (HyStart++ exit): the curve
            // starts at its plateau, K = 0, and only the convex probing part remains.
            WMax = cwnd;
            K = 0;
            _afterTimeout = false;
        }
        else
        {
            K = CubicK(WMax, cwnd);
        }

        // §4.3: W_est starts at cwnd_epoch.
        WEst = cwnd;
    }
}
