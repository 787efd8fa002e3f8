using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>NewReno's arithmetic (RFC 5681, RFC 3465, RFC 6582, RFC 6928), driven directly.</summary>
public class NewRenoTests
{
    private const int Mss = 1000;
    private static readonly Duration s_rtt = Duration.FromMilliseconds(100);
    private static readonly Instant s_start = Instant.FromMilliseconds(1_000);

    private static CongestionAck Ack(uint acked, uint priorInFlight, bool inRecovery = false) =>
        new(s_start, acked, priorInFlight, priorInFlight - Math.Min(acked, priorInFlight), new SeqNumber(acked), new SeqNumber(priorInFlight), inRecovery);

    [Fact]
    public void Initial_window_follows_rfc_6928_and_can_be_configured()
    {
        // min(10*MSS, max(2*MSS, 14600)).
        Assert.Equal(14600u, NewReno.InitialWindow(1460));
        Assert.Equal(10u * 536, NewReno.InitialWindow(536));
        Assert.Equal(2u * 9000, NewReno.InitialWindow(9000));
        Assert.Equal(14600u, new NewReno(1460).Cwnd);
        Assert.Equal(4u * 1460, new NewReno(1460, initialWindowSegments: 4).Cwnd);
        Assert.Equal(uint.MaxValue, new NewReno(1460).Ssthresh);
        Assert.Equal(CongestionPhase.SlowStart, new NewReno(1460).Phase);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Slow_start_doubles_the_window_every_round_trip(int segmentsPerAck)
    {
        var reno = new NewReno(Mss);
        var clock = new AckClock(reno, Mss, s_start);
        for (int round = 0; round < 5; round++)
        {
            uint before = reno.Cwnd;
            clock.Round(s_rtt, segmentsPerAck);
            Assert.Equal(2 * before, reno.Cwnd);
        }

        Assert.Equal(320u * Mss, reno.Cwnd);
    }

    [Fact]
    public void Byte_counting_limits_a_stretch_ack_to_two_segments()
    {
        // RFC 3465 §2.2: cwnd += min(N, L*SMSS), L = 2.
        var reno = new NewReno(Mss);
        uint start = reno.Cwnd;
        reno.OnAck(Ack(5 * Mss, start));
        Assert.Equal(start + (2 * Mss), reno.Cwnd);

        // A small ACK counts its bytes, not one segment.
        reno.OnAck(Ack(100, reno.Cwnd));
        Assert.Equal(start + (2 * Mss) + 100, reno.Cwnd);
    }

    [Fact]
    public void An_application_limited_sender_does_not_grow_the_window()
    {
        var reno = new NewReno(Mss);
        uint start = reno.Cwnd;
        reno.OnAck(Ack(Mss, priorInFlight: Mss));
        Assert.Equal(start, reno.Cwnd);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Congestion_avoidance_adds_one_segment_per_round_trip(int segmentsPerAck)
    {
        var reno = new NewReno(Mss);
        reno.OnLossDetected(s_start, 40 * Mss);
        reno.OnRecoveryComplete(s_start);
        Assert.Equal(20u * Mss, reno.Cwnd);
        Assert.Equal(CongestionPhase.CongestionAvoidance, reno.Phase);

        // Byte counting: delayed ACKs (two segments each) grow it as fast as one ACK per segment.
        var clock = new AckClock(reno, Mss, s_start);
        for (int round = 1; round <= 10; round++)
        {
            clock.Round(s_rtt, segmentsPerAck);
            Assert.Equal((uint)(20 + round) * Mss, reno.Cwnd);
        }
    }

    [Fact]
    public void Loss_halves_the_flight_with_a_floor_of_two_segments()
    {
        var reno = new NewReno(Mss);
        reno.OnLossDetected(s_start, 33 * Mss);
        Assert.Equal(33u * Mss / 2, reno.Ssthresh);
        Assert.Equal(reno.Ssthresh, reno.Cwnd);

        reno.OnLossDetected(s_start, 3 * Mss);
        Assert.Equal(2u * Mss, reno.Ssthresh);
        Assert.Equal(2u * Mss, reno.Cwnd);
    }

    [Fact]
    public void Partial_acks_hold_the_window_and_the_full_ack_leaves_it_at_ssthresh()
    {
        // RFC 6582: partial ACKs during recovery do not grow cwnd (pipe accounts for them);
        // the full ACK ends recovery with cwnd = ssthresh.
        var reno = new NewReno(Mss);
        reno.OnLossDetected(s_start, 20 * Mss);
        reno.OnAck(Ack(3 * Mss, 20 * Mss, inRecovery: true));
        reno.OnAck(Ack(5 * Mss, 17 * Mss, inRecovery: true));
        Assert.Equal(10u * Mss, reno.Cwnd);
        reno.OnRecoveryComplete(s_start);
        Assert.Equal(10u * Mss, reno.Cwnd);
        Assert.Equal(10u * Mss, reno.Ssthresh);
    }

    [Fact]
    public void A_timeout_leaves_the_loss_window_of_one_segment_and_slow_start_follows()
    {
        var reno = new NewReno(Mss);
        reno.OnRetransmitTimeout(s_start, 30 * Mss, firstTimeout: true);
        Assert.Equal((uint)Mss, reno.Cwnd);
        Assert.Equal(15u * Mss, reno.Ssthresh);

        // A repeated timeout of the same series does not lower ssthresh again.
        reno.OnRetransmitTimeout(s_start, Mss, firstTimeout: false);
        Assert.Equal(15u * Mss, reno.Ssthresh);
        Assert.Equal((uint)Mss, reno.Cwnd);

        // Slow start from one segment: 1, 2, 4, 8, then up to ssthresh and avoidance.
        var clock = new AckClock(reno, Mss, s_start);
        clock.Round(s_rtt);
        Assert.Equal(2u * Mss, reno.Cwnd);
        clock.Round(s_rtt);
        clock.Round(s_rtt);
        Assert.Equal(8u * Mss, reno.Cwnd);
        clock.Round(s_rtt);
        Assert.Equal(15u * Mss, reno.Cwnd);
        Assert.Equal(CongestionPhase.CongestionAvoidance, reno.Phase);
    }

    [Fact]
    public void Restart_after_idle_takes_the_smaller_of_the_initial_window_and_cwnd()
    {
        var reno = new NewReno(Mss);
        var clock = new AckClock(reno, Mss, s_start);
        clock.Round(s_rtt);
        Assert.Equal(20u * Mss, reno.Cwnd);
        reno.OnRestartAfterIdle(clock.Now + Duration.FromSeconds(5));
        Assert.Equal(NewReno.InitialWindow(Mss), reno.Cwnd);

        // A window already below IW is kept.
        reno.OnRetransmitTimeout(clock.Now, 10 * Mss, firstTimeout: true);
        reno.OnRestartAfterIdle(clock.Now + Duration.FromSeconds(10));
        Assert.Equal((uint)Mss, reno.Cwnd);
    }

    [Fact]
    public void A_smaller_mss_keeps_at_least_one_segment()
    {
        var reno = new NewReno(Mss);
        reno.OnRetransmitTimeout(s_start, 10 * Mss, firstTimeout: true);
        reno.OnMssChanged(600);
        Assert.Equal((uint)Mss, reno.Cwnd);
        reno.OnRetransmitTimeout(s_start, 10 * Mss, firstTimeout: false);
        Assert.Equal(600u, reno.Cwnd);
    }
}
