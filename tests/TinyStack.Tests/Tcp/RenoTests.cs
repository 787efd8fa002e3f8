using TinyStack.Tcp.Congestion;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp;

public class RenoTests
{
    private const int Mss = 1000;

    [Fact]
    public void Initial_window_follows_rfc_6928()
    {
        Assert.Equal(14600u, Reno.InitialWindow(1460));
        Assert.Equal(10u * 536, Reno.InitialWindow(536));
        Assert.Equal(2u * 9000, Reno.InitialWindow(9000));
    }

    [Fact]
    public void Slow_start_adds_at_most_two_segments_per_ack()
    {
        var reno = new Reno(Mss);
        uint start = reno.Cwnd;
        reno.OnAck(Instant.Zero, 5 * Mss, priorInFlight: start, inRecovery: false);
        Assert.Equal(start + (2 * Mss), reno.Cwnd);
    }

    [Fact]
    public void An_application_limited_sender_does_not_grow_the_window()
    {
        var reno = new Reno(Mss);
        uint start = reno.Cwnd;
        reno.OnAck(Instant.Zero, Mss, priorInFlight: Mss, inRecovery: false);
        Assert.Equal(start, reno.Cwnd);
    }

    [Fact]
    public void Loss_halves_the_flight_and_congestion_avoidance_adds_one_segment_per_window()
    {
        var reno = new Reno(Mss);
        reno.OnLossDetected(Instant.Zero, 20 * Mss);
        Assert.Equal(10u * Mss, reno.Ssthresh);
        Assert.Equal(10u * Mss, reno.Cwnd);

        // Nine ACKs of one segment each leave it unchanged, the tenth adds one MSS.
        for (int i = 0; i < 9; i++)
        {
            reno.OnAck(Instant.Zero, Mss, priorInFlight: 10 * Mss, inRecovery: false);
        }

        Assert.Equal(10u * Mss, reno.Cwnd);
        reno.OnAck(Instant.Zero, Mss, priorInFlight: 10 * Mss, inRecovery: false);
        Assert.Equal(11u * Mss, reno.Cwnd);
    }

    [Fact]
    public void Ssthresh_never_falls_below_two_segments_and_a_timeout_leaves_one()
    {
        var reno = new Reno(Mss);
        reno.OnRetransmitTimeout(Instant.Zero, Mss, firstTimeout: true);
        Assert.Equal(2u * Mss, reno.Ssthresh);
        Assert.Equal((uint)Mss, reno.Cwnd);
        reno.OnRetransmitTimeout(Instant.Zero, 100 * Mss, firstTimeout: false);
        Assert.Equal(2u * Mss, reno.Ssthresh);
    }

    [Fact]
    public void The_window_is_held_during_recovery()
    {
        var reno = new Reno(Mss);
        reno.OnLossDetected(Instant.Zero, 20 * Mss);
        reno.OnAck(Instant.Zero, 5 * Mss, priorInFlight: 20 * Mss, inRecovery: true);
        Assert.Equal(10u * Mss, reno.Cwnd);
    }
}
