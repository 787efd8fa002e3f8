using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Fast retransmit and recovery (RFC 5681 §3.2, RFC 6675), limited transmit (RFC 3042), SACK and D-SACK (RFC 2018, RFC 2883).</summary>
public class FastRetransmitTests
{
    private static SeqNumber S(uint value) => new(value);

    private static uint Seg(TcpHarness h, int index) => h.Iss + 1 + (uint)(index * Mss);

    [Fact]
    public void Three_duplicate_acks_trigger_fast_retransmit_after_two_limited_transmits()
    {
        // NewReno's halving; CubicEngineTests checks CUBIC's 0.7 on the same exchange.
        var h = new TcpHarness(TcpHarness.DefaultSettings() with { CongestionControl = CongestionControlAlgorithms.NewReno });
        TcpConnection c = h.EstablishPassive();
        byte[] data = Bytes(14 * Mss);
        c.Send(data);

        // The initial window: ten segments.
        for (int i = 0; i < 10; i++)
        {
            h.Expect(TcpFlags.Ack, Seg(h, i), RemoteIss + 1, payload: data[(i * Mss)..((i + 1) * Mss)], reason: TxReason.TcpNewData);
        }

        h.ExpectNothing();

        // First and second duplicate ACK: RFC 3042 releases one new segment each.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        h.Expect(TcpFlags.Ack, Seg(h, 10), RemoteIss + 1, payload: data[(10 * Mss)..(11 * Mss)], reason: TxReason.TcpNewData);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        h.Expect(TcpFlags.Ack, Seg(h, 11), RemoteIss + 1, payload: data[(11 * Mss)..(12 * Mss)], reason: TxReason.TcpNewData);

        // Third: the first segment is resent at once; ssthresh = cwnd = half the FlightSize. Twelve
        // segments are outstanding, but RFC 3042 §2 says the two sent by limited transmit MUST NOT
        // be counted (RFC 5681 §3.2 step 2), so FlightSize is ten and ssthresh five segments, as
        // Linux's halving of cwnd (ten) gives.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        h.Expect(TcpFlags.Ack, Seg(h, 0), RemoteIss + 1, payload: data[..Mss], reason: TxReason.TcpFastRetransmit);
        h.ExpectNothing();
        Assert.True(c.InFastRecovery);
        Assert.Equal(5u * Mss, c.CongestionControl.Ssthresh);
        Assert.Equal(5u * Mss, c.Cwnd);

        // The ACK of everything sent ends recovery; the rest follows within cwnd = ssthresh.
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 12));
        Assert.False(c.InFastRecovery);
        h.Expect(TcpFlags.Ack, Seg(h, 12), RemoteIss + 1, payload: data[(12 * Mss)..(13 * Mss)]);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, Seg(h, 13), RemoteIss + 1, payload: data[(13 * Mss)..]);
        Assert.Equal(1, h.Stats.FastRetransmits);
    }

    [Fact]
    public void Without_sack_a_partial_ack_retransmits_the_next_hole()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        byte[] data = Bytes(10 * Mss);
        c.Send(data);
        for (int i = 0; i < 10; i++)
        {
            h.Next();
        }

        for (int i = 0; i < 3; i++)
        {
            h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        }

        Assert.Equal(Seg(h, 0), h.Next().Seq);

        // Segments 0..2 arrive, 3 was lost too: a partial ACK (RFC 6582) resends segment 3.
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 3));
        Assert.True(c.InFastRecovery);
        Emitted hole = h.Next();
        Assert.Equal(Seg(h, 3), hole.Seq);
        Assert.Equal(data[(3 * Mss)..(4 * Mss)], hole.Payload);
    }

    [Fact]
    public void Sack_blocks_steer_retransmission_to_the_holes_only()
    {
        // RFC 6675's own loss rule (three SACKed segments above a hole), so RACK-TLP is off: with
        // every SACK arriving at the instant of sending, RACK's time-based rule (RFC 8985 §6.2)
        // would call segment 3 lost at once. RackTlpTests covers RACK's rule.
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = true, WindowScaling = false, ReceiveBufferSize = 32 * 1024, RackTlp = false });
        TcpConnection c = h.EstablishPassive(out _, new TcpOptions { Mss = 1460, SackPermitted = true });
        Assert.True(c.SackEnabled);
        byte[] data = Bytes(10 * Mss);
        c.Send(data);
        for (int i = 0; i < 10; i++)
        {
            h.Next();
        }

        // Segments 0 and 3 are lost; the peer SACKs what it got, most recent block first.
        var sacked = new List<(uint, uint)>();
        foreach (int i in new[] { 1, 2, 4, 5 })
        {
            AddSack(sacked, Seg(h, i), Seg(h, i + 1));
            h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: SackOptions(sacked));
        }

        // Segment 0 has four SACKed segments above it: lost (RFC 6675 IsLost), resent at once.
        // Segment 3 has only two above it: not yet deemed lost.
        List<Emitted> sent = Drain(h);
        Assert.Equal([Seg(h, 0)], sent.Select(e => e.Seq));
        Assert.Equal(TxReason.TcpFastRetransmit, sent[0].Note.Reason);

        // A third SACKed segment above segment 3 makes it lost; pipe leaves room to resend it.
        AddSack(sacked, Seg(h, 6), Seg(h, 7));
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: SackOptions(sacked));
        Emitted hole = h.Next();
        Assert.Equal(Seg(h, 3), hole.Seq);
        Assert.Equal(TxReason.TcpSackRetransmit, hole.Note.Reason);
        Assert.Equal(data[(3 * Mss)..(4 * Mss)], hole.Payload);

        // More SACKs bring no retransmission of SACKed data.
        foreach (int i in new[] { 7, 8, 9 })
        {
            AddSack(sacked, Seg(h, i), Seg(h, i + 1));
            h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: SackOptions(sacked));
        }

        h.ExpectNothing();
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 10));
        Assert.False(c.InFastRecovery);
        Assert.Equal(2, h.Stats.SegmentsRetransmitted);
    }

    [Fact]
    public void Receiver_reports_the_most_recent_sack_block_first()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = true, WindowScaling = false, ReceiveBufferSize = 32 * 1024 });
        h.EstablishPassive(out _, new TcpOptions { Mss = 1460, SackPermitted = true });
        uint r = RemoteIss + 1;
        h.Send(TcpFlags.Ack, r + 100, h.Iss + 1, payload: Bytes(100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, r, options: Sack((r + 100, r + 200)));
        h.Send(TcpFlags.Ack, r + 300, h.Iss + 1, payload: Bytes(100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, r, options: Sack((r + 300, r + 400), (r + 100, r + 200)));
        h.Send(TcpFlags.Ack, r + 200, h.Iss + 1, payload: Bytes(100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, r, options: Sack((r + 100, r + 400)));

        // A duplicate inside held data: D-SACK block, then the block holding it (RFC 2883 §4).
        h.Send(TcpFlags.Ack, r + 300, h.Iss + 1, payload: Bytes(100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, r, options: Sack((r + 300, r + 400), (r + 100, r + 400)));

        // Filling the hole: no blocks left.
        h.Send(TcpFlags.Ack, r, h.Iss + 1, payload: Bytes(100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, r + 400, window: 32768 - 400);

        // A duplicate below RCV.NXT: a D-SACK block below the cumulative ACK.
        h.Send(TcpFlags.Ack, r, h.Iss + 1, payload: Bytes(100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, r + 400, window: 32768 - 400, options: Sack((r, r + 100)));
        Assert.Equal(2, h.Stats.DSacksSent);
    }

    [Fact]
    public void Sack_blocks_outside_the_flight_are_ignored()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = true, WindowScaling = false, ReceiveBufferSize = 32 * 1024 });
        TcpConnection c = h.EstablishPassive(out _, new TcpOptions { Mss = 1460, SackPermitted = true });
        c.Send(Bytes(2 * Mss));
        h.Next();
        h.Next();
        for (int i = 0; i < 5; i++)
        {
            h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Sack((h.Iss + 100_000, h.Iss + 200_000)));
        }

        Assert.False(c.InFastRecovery);
        h.ExpectNothing();
    }

    private static TcpOptions Sack(params (uint Left, uint Right)[] blocks) =>
        new TcpOptions().WithSackBlocks(blocks.Select(b => new SackBlock(S(b.Left), S(b.Right))).ToArray());

    private static TcpOptions SackOptions(List<(uint Left, uint Right)> ranges) => Sack([.. ranges.Take(4)]);

    /// <summary>Merges [left, right) into the list and moves its block to the front (most recent first).</summary>
    private static void AddSack(List<(uint Left, uint Right)> ranges, uint left, uint right)
    {
        for (int i = 0; i < ranges.Count; i++)
        {
            if (ranges[i].Right == left || ranges[i].Left == right)
            {
                left = Math.Min(left, ranges[i].Left);
                right = Math.Max(right, ranges[i].Right);
                ranges.RemoveAt(i);
                i = -1;
            }
        }

        ranges.Insert(0, (left, right));
    }

    private static List<Emitted> Drain(TcpHarness h)
    {
        var list = new List<Emitted>();
        while (h.PendingCount > 0)
        {
            list.Add(h.Next());
        }

        return list;
    }
}
