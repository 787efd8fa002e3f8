using TinyStack.Tcp.Congestion;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>CUBIC's arithmetic (RFC 9438), driven by an ACK clock in virtual time.</summary>
public class CubicTests
{
    private const int Mss = 1000;
    private static readonly Duration s_rtt = Duration.FromMilliseconds(100);
    private static readonly Instant s_start = Instant.FromMilliseconds(1_000);

    /// <summary>RFC 9438 Figure 1 and 2, written out here independently of the implementation.</summary>
    private static double RfcWCubic(double tSeconds, double wMax, double cwndEpoch)
    {
        double k = Math.Cbrt((wMax - cwndEpoch) / 0.4);
        return (0.4 * Math.Pow(tSeconds - k, 3)) + wMax;
    }

    /// <summary>Slow start (no HyStart++) from IW 10 to 160 segments, then a loss with 160 in flight.</summary>
    private static (Cubic Cubic, AckClock Clock) AfterLossAt160Segments(Duration rtt, bool fastConvergence = true)
    {
        var cubic = new Cubic(Mss, fastConvergence: fastConvergence, hyStart: false);
        var clock = new AckClock(cubic, Mss, s_start);
        for (int i = 0; i < 4; i++)
        {
            clock.Round(rtt);
        }

        Assert.Equal(160u * Mss, cubic.Cwnd);
        cubic.OnLossDetected(clock.Now, clock.InFlight);
        cubic.OnRecoveryComplete(clock.Now);
        return (cubic, clock);
    }

    [Fact]
    public void Slow_start_doubles_the_window_every_round_trip()
    {
        var cubic = new Cubic(Mss, hyStart: false);
        var clock = new AckClock(cubic, Mss, s_start);
        Assert.Equal(10u * Mss, cubic.Cwnd);
        for (int round = 0; round < 4; round++)
        {
            uint before = cubic.Cwnd;
            clock.Round(s_rtt, segmentsPerAck: 2);
            Assert.Equal(2 * before, cubic.Cwnd);
        }
    }

    [Fact]
    public void Loss_multiplies_the_window_by_beta_0_7()
    {
        (Cubic cubic, _) = AfterLossAt160Segments(s_rtt);
        Assert.Equal(112u * Mss, cubic.Cwnd);
        Assert.Equal(112u * Mss, cubic.Ssthresh);
        Assert.Equal(160, cubic.WMax, 6);
        Assert.Equal(CongestionPhase.CongestionAvoidance, cubic.Phase);

        // ssthresh never goes below two segments.
        var small = new Cubic(Mss);
        small.OnLossDetected(s_start, 2 * Mss);
        Assert.Equal(2u * Mss, small.Ssthresh);
        Assert.Equal(2u * Mss, small.Cwnd);
    }

    [Fact]
    public void The_window_follows_w_cubic_within_five_percent()
    {
        (Cubic cubic, AckClock clock) = AfterLossAt160Segments(s_rtt);
        double wMax = 160;
        double cwndEpoch = 112;

        // K = cbrt(160 * 0.3 / 0.4) = 4.93 s: sample the concave part, the plateau and the convex part.
        double[] checkpoints = [0.5, 1, 2, 3, 4, 4.9, 5.5, 6.5, 7.5, 8.5];
        int next = 0;
        while (next < checkpoints.Length)
        {
            clock.Round(s_rtt);
            Assert.NotNull(cubic.EpochStart);
            double t = (clock.Now - cubic.EpochStart!.Value).TotalSeconds;
            if (t >= checkpoints[next])
            {
                double expected = RfcWCubic(t, wMax, cwndEpoch);
                double actual = clock.CwndSegments;
                Assert.True(Math.Abs(actual - expected) <= 0.05 * expected,
                    $"at t = {t:F2} s cwnd is {actual:F1} segments, W_cubic(t) = {expected:F1}");
                next++;
            }
        }

        // Beyond K it probes past W_max, ever faster.
        Assert.True(clock.CwndSegments > wMax + 10);
    }

    [Fact]
    public void K_is_the_cube_root_of_w_max_times_one_minus_beta_over_c()
    {
        (Cubic cubic, AckClock clock) = AfterLossAt160Segments(s_rtt);
        clock.Round(s_rtt);
        Assert.Equal(Math.Cbrt(160 * 0.3 / 0.4), cubic.K, 6);
    }

    [Fact]
    public void On_a_short_path_the_reno_friendly_estimate_sets_the_pace()
    {
        // RTT 1 ms: the cubic curve barely moves in 40 ms, Reno would add alpha = 0.53 segments per RTT.
        Duration rtt = Duration.FromMilliseconds(1);
        (Cubic cubic, AckClock clock) = AfterLossAt160Segments(rtt);
        for (int i = 0; i < 40; i++)
        {
            clock.Round(rtt);
        }

        double t = (clock.Now - cubic.EpochStart!.Value).TotalSeconds;
        double cubicOnly = RfcWCubic(t, 160, 112);
        double alpha = 3 * (1 - 0.7) / (1 + 0.7);
        double reno = 112 + (40 * alpha);
        Assert.True(cubicOnly < 114, $"W_cubic(t) = {cubicOnly}");
        Assert.InRange(clock.CwndSegments, reno - 2, reno + 1);
        Assert.True(Math.Abs(cubic.WEst - clock.CwndSegments) < 0.01, $"cwnd {clock.CwndSegments} is not W_est {cubic.WEst}");

        // Once W_est passes cwnd_prior (160), alpha becomes 1: one segment per RTT, as Reno.
        clock.RoundsUntil(() => cubic.WEst >= 161, rtt);
        double before = clock.CwndSegments;
        for (int i = 0; i < 10; i++)
        {
            clock.Round(rtt);
        }

        Assert.InRange(clock.CwndSegments - before, 9.5, 10.5);
    }

    [Fact]
    public void Fast_convergence_lowers_w_max_when_the_window_shrinks()
    {
        // A second loss before the window is back at W_max = 160: W_max = 112 * (1 + 0.7) / 2.
        (Cubic cubic, AckClock clock) = AfterLossAt160Segments(s_rtt);
        cubic.OnLossDetected(clock.Now, (uint)(112 * Mss));
        Assert.Equal(112 * 1.7 / 2, cubic.WMax, 6);
        Assert.Equal((78u * Mss) + 400, cubic.Cwnd);

        // Without fast convergence W_max is the window at the loss.
        (Cubic plain, AckClock plainClock) = AfterLossAt160Segments(s_rtt, fastConvergence: false);
        plain.OnLossDetected(plainClock.Now, (uint)(112 * Mss));
        Assert.Equal(112, plain.WMax, 6);
    }

    [Fact]
    public void A_timeout_leaves_one_segment_and_the_next_epoch_starts_at_its_plateau()
    {
        (Cubic cubic, AckClock clock) = AfterLossAt160Segments(s_rtt);
        cubic.OnRetransmitTimeout(clock.Now, (uint)(100 * Mss), firstTimeout: true);
        clock.LoseEverything();
        Assert.Equal((uint)Mss, cubic.Cwnd);
        Assert.Equal(70u * Mss, cubic.Ssthresh);
        cubic.OnRetransmitTimeout(clock.Now, Mss, firstTimeout: false);
        Assert.Equal(70u * Mss, cubic.Ssthresh);

        // Standard slow start back to ssthresh, then K = 0 and W_max = cwnd at the epoch's start (§4.8).
        clock.RoundsUntil(() => cubic.EpochStart is not null, s_rtt);
        Assert.Equal(0, cubic.K);
        Assert.InRange(cubic.WMax, 70, 72);
    }

    [Fact]
    public void Growth_stops_while_the_sender_is_application_limited()
    {
        (Cubic cubic, AckClock clock) = AfterLossAt160Segments(s_rtt);
        uint before = cubic.Cwnd;
        clock.Now += Duration.FromSeconds(5);
        cubic.OnAck(new CongestionAck(clock.Now, Mss, 10 * Mss, 9 * Mss, clock.SndUna, clock.SndNxt, InRecovery: false));
        Assert.Equal(before, cubic.Cwnd);
    }

    [Fact]
    public void Restart_after_idle_takes_the_smaller_of_the_initial_window_and_cwnd()
    {
        (Cubic cubic, AckClock clock) = AfterLossAt160Segments(s_rtt);
        clock.Round(s_rtt);
        cubic.OnRestartAfterIdle(clock.Now + Duration.FromSeconds(3));
        Assert.Equal(10u * Mss, cubic.Cwnd);
        Assert.Null(cubic.EpochStart);
        Assert.Equal(CongestionPhase.SlowStart, cubic.Phase);
    }

    [Fact]
    public void The_window_is_held_during_recovery()
    {
        (Cubic cubic, AckClock clock) = AfterLossAt160Segments(s_rtt);
        cubic.OnLossDetected(clock.Now, 100 * Mss);
        uint held = cubic.Cwnd;
        cubic.OnAck(new CongestionAck(clock.Now, 10 * Mss, 100 * Mss, 90 * Mss, clock.SndUna, clock.SndNxt, InRecovery: true));
        Assert.Equal(held, cubic.Cwnd);
    }

    [Fact]
    public void Algorithms_are_found_by_name()
    {
        Assert.Equal("cubic", CongestionControlAlgorithms.Get("CUBIC")(1460).Name);
        Assert.Equal("newreno", CongestionControlAlgorithms.Get("reno")(1460).Name);
        Assert.Equal("newreno", CongestionControlAlgorithms.Get("newreno")(1460).Name);
        Assert.False(CongestionControlAlgorithms.TryGet("bbr", out _));
        ArgumentException e = Assert.Throws<ArgumentException>(() => CongestionControlAlgorithms.Get("bbr"));
        Assert.Contains("cubic, newreno", e.Message);
        Assert.Equal("cubic", new TinyStack.Tcp.TcpSettings().CongestionControl(1460).Name);
    }
}
