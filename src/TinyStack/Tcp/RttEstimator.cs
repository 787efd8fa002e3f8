using TinyStack.Time;

namespace TinyStack.Tcp;

/// <summary>
/// The retransmission timer's estimator, RFC 6298 §2: SRTT and RTTVAR smoothed from RTT samples,
/// doubled by each timeout (§5.5). Where RFC 6298 computes RTO = SRTT + max(G, 4*RTTVAR) and
/// then rounds up to the minimum, Linux (tcp_set_rto) floors the variance term instead:
/// RTO = SRTT + max(4*RTTVAR, MinRto). We follow Linux, so the RTO always exceeds the RTT by at
/// least MinRto and a Linux peer's delayed ACK (up to 200 ms) cannot trigger a spurious timeout.
/// Callers apply Karn's rule (§3) by not feeding samples from retransmitted segments, unless
/// timestamps make them unambiguous (RFC 7323 §4).
/// </summary>
internal sealed class RttEstimator
{
    // RFC 6298 §2: alpha = 1/8, beta = 1/4, K = 4.
    private const int AlphaShift = 3;
    private const int BetaShift = 2;
    private const int K = 4;

    private readonly Duration _minRto;
    private readonly Duration _maxRto;
    private Duration _baseRto;

    public RttEstimator(Duration initialRto, Duration minRto, Duration maxRto)
    {
        _minRto = minRto;
        _maxRto = maxRto;
        _baseRto = initialRto;
        Rto = initialRto;
    }

    /// <summary>Whether any sample has been taken (before that, RTO is the initial 1 s).</summary>
    public bool HasSample { get; private set; }

    public Duration Srtt { get; private set; }

    public Duration RttVar { get; private set; }

    /// <summary>The current timeout, including any backoff.</summary>
    public Duration Rto { get; private set; }

    /// <summary>Timeouts since the last fresh sample: the exponent of the backoff.</summary>
    public int Backoffs { get; private set; }

    /// <summary>Takes one RTT measurement (RFC 6298 §2.2 for the first, §2.3 for the rest) and clears the backoff.</summary>
    public void Sample(Duration rtt)
    {
        if (rtt < Duration.Zero)
        {
            return;
        }

        if (!HasSample)
        {
            // (2.2) SRTT <- R, RTTVAR <- R/2.
            Srtt = rtt;
            RttVar = rtt / 2;
            HasSample = true;
        }
        else
        {
            // (2.3) RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|, then SRTT <- (1 - alpha) * SRTT + alpha * R'.
            long delta = Math.Abs(Srtt.Microseconds - rtt.Microseconds);
            RttVar = new Duration(RttVar.Microseconds - (RttVar.Microseconds >> BetaShift) + (delta >> BetaShift));
            Srtt = new Duration(Srtt.Microseconds - (Srtt.Microseconds >> AlphaShift) + (rtt.Microseconds >> AlphaShift));
        }

        // RTO <- SRTT + max(K*RTTVAR, MinRto) (Linux's form of 2.3/2.4), at most MaxRto (2.5).
        _baseRto = Clamp(Srtt + Duration.Max(_minRto, RttVar * K));
        Backoffs = 0;
        Rto = _baseRto;
    }

    /// <summary>RFC 6298 §5.5: the timer expired, so RTO doubles (up to the maximum).</summary>
    public void Backoff()
    {
        Backoffs++;
        Rto = Duration.Min(_maxRto, Rto * 2);
    }

    /// <summary>
    /// Forgets the backoff without a new sample, e.g. when an ACK for new data arrives after a
    /// timeout whose retransmission cannot be timed (Linux does the same when the ACK advances).
    /// </summary>
    public void ResetBackoff()
    {
        Backoffs = 0;
        Rto = _baseRto;
    }

    /// <summary>
    /// RFC 6298 §5.7: after the SYN or SYN-ACK was retransmitted and no sample exists, the RTO for
    /// data starts at 3 s instead of 1 s.
    /// </summary>
    public void UseConservativeInitialRto(Duration rto)
    {
        if (!HasSample)
        {
            _baseRto = Clamp(rto);
            Rto = _baseRto;
            Backoffs = 0;
        }
    }

    private Duration Clamp(Duration rto) => Duration.Min(_maxRto, Duration.Max(_minRto, rto));
}
