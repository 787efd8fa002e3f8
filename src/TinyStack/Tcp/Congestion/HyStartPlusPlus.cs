using TinyStack.Time;

namespace TinyStack.Tcp.Congestion;

/// <summary>
/// HyStart++ (RFC 9406): slow start that watches the minimum RTT of each round. When a round's
/// minimum RTT exceeds the previous round's by RttThresh (an eighth of it, clamped to 4..16 ms),
/// the queue is building: growth drops to a quarter (Conservative Slow Start, CSS) for at most
/// five rounds, then congestion avoidance begins with ssthresh = cwnd. If the RTT falls back
/// below the baseline during CSS, the exit was spurious and slow start resumes.
/// </summary>
/// <remarks>
/// Used for the initial slow start only (RFC 9406 §4.3): after a loss or timeout, ssthresh is
/// known and standard slow start is enough. It needs RTT samples on most ACKs (N_RTT_SAMPLE = 8
/// per round), which the connection takes from RFC 7323 timestamps; without timestamps it sees
/// one sample per round and never leaves slow start early, which is plain slow start.
/// </remarks>
public sealed class HyStartPlusPlus
{
    /// <summary>RFC 9406 §4.3: lower bound of RttThresh.</summary>
    public static readonly Duration MinRttThresh = Duration.FromMilliseconds(4);

    /// <summary>RFC 9406 §4.3: upper bound of RttThresh.</summary>
    public static readonly Duration MaxRttThresh = Duration.FromMilliseconds(16);

    /// <summary>RFC 9406 §4.3: RttThresh = lastRoundMinRTT / 8 (the "eta" of 1/8 RTT).</summary>
    public const int MinRttDivisor = 8;

    /// <summary>RFC 9406 §4.3: RTT samples a round needs before its minimum is trusted.</summary>
    public const int NRttSample = 8;

    /// <summary>RFC 9406 §4.3: CSS grows cwnd at 1/4 of slow start's rate.</summary>
    public const int CssGrowthDivisor = 4;

    /// <summary>RFC 9406 §4.3: rounds of CSS before congestion avoidance.</summary>
    public const int CssRounds = 5;

    /// <summary>RFC 9406 §4.2: L, segments counted per ACK, is 8 for a sender that does not pace.</summary>
    public const int AckLimitSegments = 8;

    private SeqNumber _windowEnd;
    private bool _roundStarted;
    private int _rttSampleCount;
    private int _cssRoundsDone;
    private uint _cssCarry;

    /// <summary>True while HyStart++ governs slow start; false once it handed over to avoidance or was stopped.</summary>
    public bool IsActive { get; private set; } = true;

    /// <summary>True during Conservative Slow Start.</summary>
    public bool InConservativeSlowStart { get; private set; }

    /// <summary>Minimum RTT of the previous round (<see cref="Duration.MaxValue"/> = none yet).</summary>
    public Duration LastRoundMinRtt { get; private set; } = Duration.MaxValue;

    /// <summary>Minimum RTT of the current round so far.</summary>
    public Duration CurrentRoundMinRtt { get; private set; } = Duration.MaxValue;

    /// <summary>The current round's minimum RTT when CSS began.</summary>
    public Duration CssBaselineMinRtt { get; private set; } = Duration.MaxValue;

    /// <summary>Rounds completed since the first ACK.</summary>
    public int Rounds { get; private set; }

    /// <summary>RFC 9406 §4.2: "currentRoundMinRTT = min(currentRoundMinRTT, currRTT); rttSampleCount += 1".</summary>
    public void OnRttSample(Duration rtt)
    {
        if (!IsActive || rtt <= Duration.Zero)
        {
            return;
        }

        CurrentRoundMinRtt = Duration.Min(CurrentRoundMinRtt, rtt);
        _rttSampleCount++;
    }

    /// <summary>
    /// One ACK in slow start: returns how many bytes cwnd grows by. <paramref name="enterAvoidance"/>
    /// becomes true when CSS has run its rounds: the caller sets ssthresh = cwnd (RFC 9406 §4.2).
    /// </summary>
    public uint OnAck(in CongestionAck ack, int mss, out bool enterAvoidance)
    {
        enterAvoidance = false;
        if (!_roundStarted)
        {
            // The first round ends when what is outstanding now has been acknowledged.
            _roundStarted = true;
            _windowEnd = ack.SndNxt;
        }

        // "cwnd = cwnd + min(N, L * SMSS)", divided by CSS_GROWTH_DIVISOR during CSS.
        uint increase = Math.Min(ack.AckedBytes, (uint)(AckLimitSegments * mss));
        if (InConservativeSlowStart)
        {
            uint total = increase + _cssCarry;
            increase = total / CssGrowthDivisor;
            _cssCarry = total % CssGrowthDivisor;
        }

        if (_rttSampleCount >= NRttSample && CurrentRoundMinRtt != Duration.MaxValue)
        {
            if (!InConservativeSlowStart && LastRoundMinRtt != Duration.MaxValue)
            {
                // RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH)).
                Duration threshold = Duration.Max(MinRttThresh, Duration.Min(LastRoundMinRtt / MinRttDivisor, MaxRttThresh));
                if (CurrentRoundMinRtt >= LastRoundMinRtt + threshold)
                {
                    // The RTT rose: a queue is forming. Leave slow start for CSS.
                    CssBaselineMinRtt = CurrentRoundMinRtt;
                    InConservativeSlowStart = true;
                    _cssRoundsDone = 0;
                    _cssCarry = 0;
                }
            }
            else if (InConservativeSlowStart && CurrentRoundMinRtt < CssBaselineMinRtt)
            {
                // The RTT fell below the baseline: the exit was spurious, resume slow start.
                CssBaselineMinRtt = Duration.MaxValue;
                InConservativeSlowStart = false;
            }
        }

        if (ack.SndUna >= _windowEnd)
        {
            // End of a round: its minimum becomes the reference for the next.
            Rounds++;
            if (InConservativeSlowStart && ++_cssRoundsDone >= CssRounds)
            {
                // "If CSS_ROUNDS rounds are complete, enter congestion avoidance by setting the ssthresh to the current cwnd."
                enterAvoidance = true;
                Stop();
            }

            LastRoundMinRtt = CurrentRoundMinRtt;
            CurrentRoundMinRtt = Duration.MaxValue;
            _rttSampleCount = 0;
            _windowEnd = ack.SndNxt;
        }

        return increase;
    }

    /// <summary>Slow start ended by loss, a timeout or CSS's last round: HyStart++ is not used again (RFC 9406 §4.3).</summary>
    public void Stop()
    {
        IsActive = false;
        InConservativeSlowStart = false;
    }
}
