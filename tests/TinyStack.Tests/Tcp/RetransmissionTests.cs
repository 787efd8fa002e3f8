using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>RFC 6298 retransmission timer: RTO, backoff, Karn's rule; giving up (tcp_retries2, RFC 5482); keepalive.</summary>
public class RetransmissionTests
{
    [Fact]
    public void Timeout_retransmits_the_first_segment_and_doubles_the_rto()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.NoDelay = true;
        c.Send(Bytes(100));
        h.Next();
        c.Send(Bytes(50, 1));
        h.Next();
        Instant sent = h.Now;

        h.ExpectNothing(sent + Duration.FromMilliseconds(199));
        h.AdvanceTo(sent + Duration.FromMilliseconds(200));

        // The retransmission is cut from the send ring afresh, so both small segments travel as one.
        byte[] both = [.. Bytes(100), .. Bytes(50, 1)];
        Emitted first = h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, payload: both, reason: TxReason.TcpRetransmitRto);
        Assert.Equal(1, first.Note.Count);

        // RFC 5681 §3.1: after a timeout the window is one segment.
        Assert.Equal((uint)Mss, first.Note.Cwnd);
        Assert.Equal(Duration.FromMilliseconds(400), c.Rto);
        h.ExpectNothing(sent + Duration.FromMilliseconds(599));
        h.AdvanceTo(sent + Duration.FromMilliseconds(600));
        Assert.Equal(2, h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, payload: both, reason: TxReason.TcpRetransmitRto).Note.Count);
        Assert.Equal(2, h.Stats.RetransmitTimeouts);
        Assert.True(c.InLossRecovery);

        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 151);
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
        Assert.False(c.InLossRecovery);
    }

    [Fact]
    public void Karn_rule_takes_no_sample_from_a_retransmitted_segment()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(100));
        h.Next();
        h.Advance(Duration.FromMilliseconds(200));
        h.Next();
        Duration srtt = c.Srtt;
        h.Advance(Duration.FromMilliseconds(150));
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 101);
        Assert.Equal(srtt, c.Srtt);

        // A fresh segment is timed again: 50 ms gives SRTT = 7/8 * 0 + 1/8 * 50 ms.
        c.Send(Bytes(10));
        h.Next();
        h.Advance(Duration.FromMilliseconds(50));
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 111);
        Assert.Equal(Duration.FromMicroseconds(6250), c.Srtt);
    }

    [Fact]
    public void A_retransmitted_handshake_leaves_a_3_second_rto_for_data()
    {
        var h = new TcpHarness();
        TcpConnection c = h.Connect(out _);
        h.Next();
        h.Advance(Duration.FromSeconds(1));
        h.Next();
        h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, h.Iss + 1, options: new TcpOptions { Mss = 1460 });
        Assert.Equal(TcpState.Established, c.State);
        Assert.Equal(Duration.FromSeconds(3), c.Rto);
    }

    [Fact]
    public void The_connection_is_abandoned_after_max_retransmissions()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, MaxRetransmissions = 3 });
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        c.Send(Bytes(10));
        h.Next();

        // Retransmissions at 0.2, 0.6 and 1.4 s; the fourth timeout, at 3.0 s, gives up.
        h.Advance(Duration.FromMilliseconds(2999));
        Assert.Equal(3, h.PendingCount);
        Assert.Equal(TcpState.Established, c.State);
        h.Advance(Duration.FromMilliseconds(1));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(TcpError.TimedOut, observer.ClosedWith);
        Assert.Equal(1, h.Stats.TimeoutAborts);
    }

    [Fact]
    public void A_user_timeout_bounds_how_long_data_may_stay_unacknowledged()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, UserTimeout = Duration.FromSeconds(1) });
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        Instant sent = h.Now;
        h.AdvanceTo(sent + Duration.FromMilliseconds(1399));
        Assert.Equal(TcpState.Established, c.State);

        // The timeout is checked when the retransmission timer fires: at 1.4 s (0.2 + 0.4 + 0.8).
        h.AdvanceTo(sent + Duration.FromMilliseconds(1400));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(TcpError.TimedOut, c.Error);
    }

    [Fact]
    public void An_ack_of_new_data_ends_the_backoff()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.NoDelay = true;
        c.Send(Bytes(10));
        c.Send(Bytes(10));
        h.Advance(Duration.FromMilliseconds(200));
        h.Advance(Duration.FromMilliseconds(400));
        Assert.Equal(Duration.FromMilliseconds(800), c.Rto);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 11);
        Assert.Equal(Duration.FromMilliseconds(200), c.Rto);
    }

    [Fact]
    public void Keepalive_probes_an_idle_connection_and_gives_up_when_unanswered()
    {
        var h = new TcpHarness(new TcpSettings
        {
            Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024,
            KeepAlive = true, KeepAliveTime = Duration.FromSeconds(10), KeepAliveInterval = Duration.FromSeconds(2), KeepAliveProbes = 2,
        });
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        c.Send(Bytes(1));
        h.Next();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 2);
        Instant idleSince = h.Now;

        h.ExpectNothing(idleSince + Duration.FromMilliseconds(9999));
        h.AdvanceTo(idleSince + Duration.FromSeconds(10));
        Emitted probe = h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpKeepalive);
        Assert.Equal(1, probe.Note.Count);

        // An answer restarts the idle clock.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 2);
        Instant answered = h.Now;
        h.ExpectNothing(answered + Duration.FromMilliseconds(9999));
        h.AdvanceTo(answered + Duration.FromSeconds(10));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpKeepalive);
        h.AdvanceTo(answered + Duration.FromSeconds(12));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpKeepalive);
        h.AdvanceTo(answered + Duration.FromSeconds(14));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(TcpError.TimedOut, observer.ClosedWith);
        Assert.Equal(3, h.Stats.KeepAliveProbes);
    }

    [Fact]
    public void Keepalive_is_off_by_default()
    {
        var h = new TcpHarness();
        h.EstablishPassive();
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
        h.ExpectNothing(h.Now + Duration.FromSeconds(3 * 3600));
    }
}
