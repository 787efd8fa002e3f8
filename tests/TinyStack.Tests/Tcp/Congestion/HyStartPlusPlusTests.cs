using TinyStack.Tcp.Congestion;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>HyStart++ (RFC 9406) inside CUBIC's initial slow start.</summary>
public class HyStartPlusPlusTests
{
    private const int Mss = 1000;
    private static readonly Instant s_start = Instant.FromMilliseconds(1_000);

    private static Duration Ms(int ms) => Duration.FromMilliseconds(ms);

    /// <summary>Three round trips at <paramref name="baseMs"/>, then <paramref name="roundsAfter"/> at <paramref name="raisedMs"/>.</summary>
    private static (Cubic Cubic, AckClock Clock) RttStep(int baseMs, int raisedMs, int roundsAfter = 2)
    {
        var cubic = new Cubic(Mss);
        var clock = new AckClock(cubic, Mss, s_start);
        for (int i = 0; i < 3; i++)
        {
            clock.Round(Ms(baseMs));
        }

        Assert.Equal(CongestionPhase.SlowStart, cubic.Phase);
        for (int i = 0; i < roundsAfter; i++)
        {
            clock.Round(Ms(raisedMs));
        }

        return (cubic, clock);
    }

    [Theory]
    [InlineData(50, 57)]   // RttThresh = 50/8 = 6.25 ms
    [InlineData(10, 15)]   // RttThresh = max(4 ms, 1.25 ms) = 4 ms
    [InlineData(200, 217)] // RttThresh = min(25 ms, 16 ms) = 16 ms
    public void A_round_whose_minimum_rtt_rises_by_rtt_thresh_enters_conservative_slow_start(int baseMs, int raisedMs)
    {
        (Cubic cubic, _) = RttStep(baseMs, raisedMs);
        Assert.Equal(CongestionPhase.ConservativeSlowStart, cubic.Phase);
        Assert.Equal(Ms(raisedMs), cubic.HyStart!.CssBaselineMinRtt);
        Assert.Equal(uint.MaxValue, cubic.Ssthresh);
    }

    [Theory]
    [InlineData(50, 56)]
    [InlineData(10, 13)]
    [InlineData(200, 215)]
    public void A_rise_below_rtt_thresh_keeps_slow_start(int baseMs, int raisedMs)
    {
        (Cubic cubic, AckClock clock) = RttStep(baseMs, raisedMs);
        Assert.Equal(CongestionPhase.SlowStart, cubic.Phase);

        // And slow start still doubles.
        uint before = cubic.Cwnd;
        clock.Round(Ms(raisedMs));
        Assert.Equal(2 * before, cubic.Cwnd);
    }

    [Fact]
    public void Conservative_slow_start_grows_at_a_quarter_rate_then_hands_over_to_avoidance()
    {
        (Cubic cubic, AckClock clock) = RttStep(50, 60, roundsAfter: 2);
        Assert.Equal(CongestionPhase.ConservativeSlowStart, cubic.Phase);

        // A full CSS round: each ACK adds a quarter of what it acknowledged, so cwnd grows by 1/4.
        uint before = cubic.Cwnd;
        clock.Round(Ms(60));
        Assert.InRange(cubic.Cwnd / (double)before, 1.2, 1.3);

        // CSS_ROUNDS = 5 rounds in all (the one it began in counts), then ssthresh = cwnd.
        int more = clock.RoundsUntil(() => cubic.Phase == CongestionPhase.CongestionAvoidance, Ms(60), limit: 10);
        Assert.InRange(more, 2, 4);
        Assert.False(cubic.HyStart!.IsActive);
        Assert.InRange(cubic.Ssthresh, cubic.Cwnd - (uint)Mss, cubic.Cwnd);
    }

    [Fact]
    public void An_rtt_back_below_the_baseline_resumes_slow_start()
    {
        (Cubic cubic, AckClock clock) = RttStep(50, 60, roundsAfter: 2);
        Assert.Equal(CongestionPhase.ConservativeSlowStart, cubic.Phase);
        clock.Round(Ms(50));
        clock.Round(Ms(50));
        Assert.Equal(CongestionPhase.SlowStart, cubic.Phase);
        Assert.True(cubic.HyStart!.IsActive);
        Assert.Equal(Duration.MaxValue, cubic.HyStart.CssBaselineMinRtt);
    }

    [Fact]
    public void Without_rtt_samples_it_is_plain_slow_start()
    {
        var cubic = new Cubic(Mss);
        var clock = new AckClock(cubic, Mss, s_start);
        for (int i = 0; i < 6; i++)
        {
            uint before = cubic.Cwnd;
            clock.Round(Ms(50 + (i * 20)), rttSamples: false);
            Assert.Equal(2 * before, cubic.Cwnd);
        }

        Assert.Equal(CongestionPhase.SlowStart, cubic.Phase);
    }

    [Fact]
    public void It_serves_the_initial_slow_start_only()
    {
        var cubic = new Cubic(Mss);
        var clock = new AckClock(cubic, Mss, s_start);
        clock.Round(Ms(50));
        cubic.OnRetransmitTimeout(clock.Now, clock.InFlight, firstTimeout: true);
        clock.LoseEverything();
        Assert.False(cubic.HyStart!.IsActive);

        // The slow start after the timeout ignores a large RTT rise.
        clock.Round(Ms(50));
        clock.Round(Ms(50));
        clock.Round(Ms(120));
        Assert.Equal(CongestionPhase.SlowStart, cubic.Phase);
    }

    [Fact]
    public void A_loss_during_slow_start_ends_hystart()
    {
        (Cubic cubic, AckClock clock) = RttStep(50, 60, roundsAfter: 2);
        cubic.OnLossDetected(clock.Now, clock.InFlight);
        Assert.False(cubic.HyStart!.IsActive);
        Assert.Equal(CongestionPhase.CongestionAvoidance, cubic.Phase);
    }
}
