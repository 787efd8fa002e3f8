using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>
/// RACK-TLP (RFC 8985): time-based loss detection with its reordering window, and tail loss
/// probes; each against the same exchange with RACK-TLP off, where only the RTO helps.
/// </summary>
public class RackTlpTests
{
    private static readonly Duration s_rtt = Duration.FromMilliseconds(50);

    private static uint Seg(TcpHarness h, int index) => h.Iss + 1 + (uint)(index * Mss);

    private static TcpOptions Sacks(params (uint Left, uint Right)[] blocks) =>
        new TcpOptions().WithSackBlocks(blocks.Select(b => new SackBlock(new SeqNumber(b.Left), new SeqNumber(b.Right))).ToArray());

    /// <summary>A SACK connection whose handshake took one 50 ms round trip (so SRTT = 50 ms).</summary>
    private static (TcpHarness H, TcpConnection C) Establish(bool rackTlp, Func<int, ICongestionControl>? algorithm = null)
    {
        var h = new TcpHarness(new TcpSettings
        {
            Timestamps = false,
            Sack = true,
            WindowScaling = false,
            ReceiveBufferSize = 32 * 1024,
            SendBufferSize = 64 * 1024,
            RackTlp = rackTlp,
            CongestionControl = algorithm ?? CongestionControlAlgorithms.NewReno,
        });
        TcpListener listener = h.ListenAndReceiveSyn(new TcpOptions { Mss = 1460, SackPermitted = true });
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        TcpConnection c = listener.Accept()!;
        Assert.True(c.SackEnabled);
        Assert.Equal(s_rtt, c.Srtt);
        h.Poll();
        h.Clear();
        return (h, c);
    }

    /// <summary>Sends <paramref name="segments"/> full segments at once and returns when they went out.</summary>
    private static Instant SendAll(TcpHarness h, TcpConnection c, int segments)
    {
        c.Send(Bytes(segments * Mss));
        h.Poll();
        Assert.Equal(segments, h.PendingCount);
        h.Clear();
        return h.Now;
    }

    /// <summary>RFC 8985 §7.2: 2*SRTT, plus 200 ms with one segment in flight, at most the RTO.</summary>
    /// <summary>RFC 8985 §7.2's PTO with Linux's slack: 2*SRTT plus 200 ms for one segment in flight, else 2 ms; at most the RTO.</summary>
    private static Duration Pto(TcpConnection c, bool oneSegment) =>
        Duration.Min((c.Srtt * 2) + Duration.FromMilliseconds(oneSegment ? 200 : 2), c.Rto);

    private static List<Emitted> Drain(TcpHarness h)
    {
        var sent = new List<Emitted>();
        h.Poll();
        while (h.PendingCount > 0)
        {
            sent.Add(h.Next());
        }

        return sent;
    }

    [Fact]
    public void One_sack_reveals_a_loss_after_a_quarter_rtt_reordering_window()
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: true);
        SendAll(h, c, 10);

        // One RTT later segment 1 is SACKed, segment 0 is not: one SACK is far from DupThresh.
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 0), options: Sacks((Seg(h, 1), Seg(h, 2))));
        Assert.Empty(Drain(h));
        Assert.False(c.InFastRecovery);

        // Segment 0 was sent with segment 1; after RACK.rtt + reo_wnd (min_RTT / 4) it is lost.
        Duration reorderingWindow = s_rtt / 4;
        h.Advance(reorderingWindow - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));
        h.Advance(Duration.FromMicroseconds(1));
        Emitted retransmission = Assert.Single(Drain(h));
        Assert.Equal(Seg(h, 0), retransmission.Seq);
        Assert.Equal(TxReason.TcpFastRetransmit, retransmission.Note.Reason);
        Assert.True(c.InFastRecovery);
    }

    [Fact]
    public void Without_rack_one_sack_waits_for_the_retransmission_timeout()
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: false);
        SendAll(h, c, 10);
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 0), options: Sacks((Seg(h, 1), Seg(h, 2))));
        h.Advance(s_rtt);
        Assert.Empty(Drain(h));
        Assert.False(c.InFastRecovery);
    }

    [Fact]
    public void A_lost_tail_is_probed_after_two_rtts_and_rack_repairs_the_rest()
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: true);
        Instant sent = SendAll(h, c, 10);

        // Segments 8 and 9, the tail, are lost: the ACK covers 0..7 and nothing follows.
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 8));
        Instant acked = h.Now;
        Duration pto = Pto(c, oneSegment: false);
        Assert.Equal((c.Srtt * 2) + Duration.FromMilliseconds(2), pto);
        h.Advance(pto - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));

        // PTO: no new data, so the last segment goes again.
        h.Advance(Duration.FromMicroseconds(1));
        Emitted probe = Assert.Single(Drain(h));
        Assert.Equal(Seg(h, 9), probe.Seq);
        Assert.Equal(TxReason.TcpTailLossProbe, probe.Note.Reason);
        Assert.Equal(acked + pto, h.Now);
        Assert.Equal(1, h.Stats.TailLossProbes);

        // Its SACK shows segment 8, sent long before, lost: RACK resends it at once.
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 8), options: Sacks((Seg(h, 9), Seg(h, 10))));
        Emitted repair = Assert.Single(Drain(h));
        Assert.Equal(Seg(h, 8), repair.Seq);
        Assert.True(c.InFastRecovery);
        Assert.True(h.Now - sent < c.Rto + s_rtt + pto, "repaired before any retransmission timeout");
        Assert.Equal(0, h.Stats.RetransmitTimeouts);
    }

    [Fact]
    public void Without_tlp_a_lost_tail_waits_for_the_retransmission_timeout()
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: false);
        SendAll(h, c, 10);
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 8));
        Instant acked = h.Now;
        h.Advance(c.Rto - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));
        h.Advance(Duration.FromMicroseconds(1));
        Emitted rto = Assert.Single(Drain(h));
        Assert.Equal(TxReason.TcpRetransmitRto, rto.Note.Reason);
        Assert.True(h.Now - acked >= Duration.FromMilliseconds(200));
    }

    [Fact]
    public void A_probe_sends_new_data_when_there_is_some_and_unanswered_probes_resend_backing_off_before_the_timeout()
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: true);

        // Fourteen segments queued, ten in the initial window: nothing is acknowledged.
        c.Send(Bytes(14 * Mss));
        h.Poll();
        Assert.Equal(10, h.PendingCount);
        h.Clear();
        Duration pto = Pto(c, oneSegment: false);
        h.Advance(pto);
        Emitted probe = Assert.Single(Drain(h));
        Assert.Equal(Seg(h, 10), probe.Seq);
        Assert.Equal(TxReason.TcpNewData, probe.Note.Reason);
        Assert.Equal(1, h.Stats.TailLossProbes);

        // Unanswered, the probe is followed by another after twice the wait, then four times the
        // wait, but never later than the retransmission timer (each probe restarts it). These
        // resend the last segment: a receiver that holds its ACK for new data answers a duplicate.
        h.Advance((pto * 2) - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));
        h.Advance(Duration.FromMicroseconds(1));
        Emitted second = Assert.Single(Drain(h));
        Assert.Equal(Seg(h, 10), second.Seq);
        Assert.Equal(TxReason.TcpTailLossProbe, second.Note.Reason);
        Duration third = Duration.Min(pto * 4, c.Rto);
        h.Advance(third - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));
        h.Advance(Duration.FromMicroseconds(1));
        Assert.Equal(Seg(h, 10), Assert.Single(Drain(h)).Seq);
        Assert.Equal(3, h.Stats.TailLossProbes);
        Assert.Equal(0, h.Stats.RetransmitTimeouts);

        // No fourth probe: the retransmission timer, restarted by the last probe, is next.
        h.Advance(c.Rto - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));
        h.Advance(Duration.FromMicroseconds(1));
        Assert.Equal(TxReason.TcpRetransmitRto, Assert.Single(Drain(h)).Note.Reason);
        Assert.Equal(3, h.Stats.TailLossProbes);
    }

    [Fact]
    public void In_fast_recovery_a_lost_ack_of_the_whole_flight_is_probed_not_waited_out()
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: true);
        SendAll(h, c, 10);

        // Segment 0 is lost; one ACK (a Linux receiver compresses the rest) SACKs 1..3.
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 0), options: Sacks((Seg(h, 1), Seg(h, 4))));
        List<Emitted> recovery = Drain(h);
        Assert.Equal(Seg(h, 0), recovery[0].Seq);
        Assert.Equal(TxReason.TcpFastRetransmit, recovery[0].Note.Reason);
        Assert.True(c.InFastRecovery);
        uint cwnd = c.Cwnd;

        // The retransmission arrives and the receiver acknowledges all ten segments in one ACK,
        // which is lost. Nothing else is in flight to draw an ACK: two SRTTs later a probe resends
        // the first segment not SACKed, long before the retransmission timer.
        Duration pto = Pto(c, oneSegment: false);
        Assert.True(pto < c.Rto - s_rtt);
        h.Advance(pto - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));
        h.Advance(Duration.FromMicroseconds(1));
        Emitted probe = Assert.Single(Drain(h));
        Assert.Equal(Seg(h, 0), probe.Seq);
        Assert.Equal(TxReason.TcpTailLossProbe, probe.Note.Reason);

        // Its answer (with a D-SACK: the retransmission had arrived) ends recovery without a timeout.
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 10), options: Sacks((Seg(h, 0), Seg(h, 1))));
        Assert.False(c.InFastRecovery);
        Assert.Equal(0, h.Stats.RetransmitTimeouts);
        Assert.True(c.Cwnd >= cwnd, $"cwnd {c.Cwnd} fell below the recovery's {cwnd}");
    }

    [Fact]
    public void One_segment_in_flight_waits_for_a_delayed_ack_too()
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: true);
        SendAll(h, c, 1);
        Duration pto = Pto(c, oneSegment: true);
        Assert.True(pto > c.Srtt * 2);
        h.Advance(pto - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));

        // Due with the retransmission timer at the latest, the probe goes instead of it: cwnd is kept.
        uint cwnd = c.Cwnd;
        h.Advance(Duration.FromMicroseconds(1));
        Assert.Equal(TxReason.TcpTailLossProbe, Assert.Single(Drain(h)).Note.Reason);
        Assert.Equal(0, h.Stats.RetransmitTimeouts);
        Assert.Equal(cwnd, c.Cwnd);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_probe_that_repaired_a_loss_reduces_cwnd_unless_a_dsack_shows_no_loss(bool dsack)
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: true);
        SendAll(h, c, 10);
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 9));
        uint before = c.Cwnd;
        h.Advance(Pto(c, oneSegment: true));
        Assert.Equal(TxReason.TcpTailLossProbe, Assert.Single(Drain(h)).Note.Reason);

        // The probe's ACK covers everything; with a D-SACK the original had arrived as well.
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 10), options: dsack ? Sacks((Seg(h, 9), Seg(h, 10))) : default);
        if (dsack)
        {
            Assert.Equal(uint.MaxValue, c.CongestionControl.Ssthresh);
            Assert.True(c.Cwnd >= before);
        }
        else
        {
            // NewReno: ssthresh = half of the flight at the probe (one segment), at least two segments.
            Assert.Equal(2u * Mss, c.CongestionControl.Ssthresh);
            Assert.Equal(2u * Mss, c.Cwnd);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Once_reordering_was_seen_rack_waits_even_when_many_segments_are_sacked(bool reorderingSeen)
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: true, CongestionControlAlgorithms.Cubic);
        if (reorderingSeen)
        {
            // A first flight where segment 0 arrives after segment 1: an original delivered below
            // the highest delivered segment is reordering (RFC 8985 §6.2 step 3).
            SendAll(h, c, 2);
            h.Advance(s_rtt);
            h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 0), options: Sacks((Seg(h, 1), Seg(h, 2))));
            h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 2));
            Assert.Empty(Drain(h));
        }

        // Sequence numbers of the second flight's segments.
        uint first = Seg(h, reorderingSeen ? 2 : 0);
        uint S(int index) => first + (uint)(index * Mss);

        SendAll(h, c, 10);
        h.Advance(s_rtt);

        // Holes at 0 and 4; 1..3 and 5 SACKed. Segment 0 has three SACKed segments above it, lost
        // by RFC 6675's rule either way; segment 4 only by RACK.
        h.Send(TcpFlags.Ack, RemoteIss + 1, S(0), options: Sacks((S(5), S(6)), (S(1), S(4))));
        List<Emitted> sent = Drain(h);
        if (!reorderingSeen)
        {
            // No reordering seen and DupThresh segments SACKed: reo_wnd = 0, segment 4 is lost now.
            Assert.Equal([S(0), S(4)], sent.Select(e => e.Seq));
            return;
        }

        // With reordering seen, segment 4 gets the reordering window of a quarter RTT first.
        Assert.Equal([S(0)], sent.Select(e => e.Seq));
        h.Advance((s_rtt / 4) - Duration.FromMicroseconds(1));
        Assert.Empty(Drain(h));
        h.Advance(Duration.FromMicroseconds(1));
        Assert.Equal([S(4)], Drain(h).Select(e => e.Seq));
    }

    [Fact]
    public void A_hole_behind_a_newer_retransmission_is_still_judged_by_its_own_send_time()
    {
        (TcpHarness h, TcpConnection c) = Establish(rackTlp: true);
        SendAll(h, c, 10);

        // Segment 0 is repaired first: RACK retransmits it a quarter RTT after one SACK, so the log
        // now starts with a segment sent later than everything behind it.
        h.Advance(s_rtt);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 0), options: Sacks((Seg(h, 1), Seg(h, 2))));
        h.Advance(s_rtt / 4);
        Assert.Equal([Seg(h, 0)], Drain(h).Select(e => e.Seq));
        Assert.True(c.InFastRecovery);
        Assert.Equal(0, c.LostBytes);

        // Segment 3 is SACKed: segment 2, first sent with it, is RACK-older and (in recovery, with no
        // reordering seen, reo_wnd = 0) lost at once. One SACKed segment above it is far from
        // DupThresh, so only RACK can find it, and only by looking past the retransmitted segment 0.
        h.Advance(Duration.FromMilliseconds(1));
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 0), options: Sacks((Seg(h, 3), Seg(h, 4)), (Seg(h, 1), Seg(h, 2))));
        Assert.Equal(Mss, c.LostBytes);
    }
}
