using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Nagle's algorithm (RFC 9293 §3.7.4, Minshall's variant as Linux) and delayed ACKs (§3.8.6.3, RFC 5681 §4.2).</summary>
public class NagleDelayedAckTests
{
    [Fact]
    public void Nagle_holds_a_small_segment_while_an_earlier_one_is_unacknowledged()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1, RemoteIss + 1, payload: Bytes(10));
        c.Send(Bytes(20, 1));
        c.Send(Bytes(30, 2));
        h.ExpectNothing();

        // The ACK releases everything held, coalesced into one segment.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 11);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 11, RemoteIss + 1, payload: [.. Bytes(20, 1), .. Bytes(30, 2)]);
    }

    [Fact]
    public void Nagle_does_not_hold_full_segments()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        h.Next();
        c.Send(Bytes(Mss + 5));
        h.Expect(TcpFlags.Ack, h.Iss + 11, RemoteIss + 1, payload: Bytes(Mss + 5)[..Mss]);
        h.ExpectNothing();
    }

    [Fact]
    public void No_delay_sends_small_segments_at_once()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.NoDelay = true;
        c.Send(Bytes(10));
        h.Next();
        c.Send(Bytes(20));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 11, RemoteIss + 1, payload: Bytes(20));
    }

    [Fact]
    public void A_queued_fin_turns_nagle_off()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        h.Next();
        c.Send(Bytes(20));
        c.ShutdownWrite();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin, h.Iss + 11, RemoteIss + 1, payload: Bytes(20));
    }

    [Fact]
    public void The_delayed_ack_timeout_is_configurable()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, DelayedAckTimeout = Duration.FromMilliseconds(200) });
        h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        Instant arrival = h.Now;
        h.ExpectNothing(arrival + Duration.FromMilliseconds(199));
        h.AdvanceTo(arrival + Duration.FromMilliseconds(200));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 11, window: 32758, reason: TxReason.TcpDelayedAck);
        Assert.Equal(1, h.Stats.DelayedAcks);
    }

    [Fact]
    public void More_than_one_segment_unacknowledged_is_acknowledged_at_once_as_linux_does()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024 });
        h.EstablishPassive(out _, new TcpOptions { Mss = 1460 });

        // One full-sized segment alone waits for the delayed-ACK timer...
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(1460));
        h.ExpectNothing(h.Now + Duration.FromMilliseconds(10));

        // ...but the short segment after it (the tail of a response) makes more than one
        // segment's worth unacknowledged: the ACK goes at once, not 40 ms later.
        h.Send(TcpFlags.Ack | TcpFlags.Psh, RemoteIss + 1461, h.Iss + 1, payload: Bytes(100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1561, window: 32768 - 1560, reason: TxReason.TcpAck);
        Assert.Equal(0, h.Stats.DelayedAcks);
    }

    [Fact]
    public void A_reply_carries_the_ack_and_cancels_the_delayed_one()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack | TcpFlags.Psh, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        c.Receive(new byte[10]);
        c.Send(Bytes(5));

        // Reading 10 bytes does not move the right edge (receiver SWS avoidance), so the window is 32768 - 10.
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1, RemoteIss + 11, window: 32758, payload: Bytes(5));
        h.ExpectNothing(h.Now + Duration.FromMilliseconds(100));
    }

    [Fact]
    public void Out_of_order_data_is_acknowledged_at_once_and_so_is_the_segment_that_fills_the_hole()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 101, h.Iss + 1, payload: Bytes(100, 1));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpAck);
        Assert.Equal(0, c.ReadableBytes);
        Assert.Equal(1, h.Stats.OutOfOrderQueued);

        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(100, 0));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 201, window: 32768 - 200, reason: TxReason.TcpAck);
        byte[] read = new byte[200];
        Assert.Equal(200, c.Receive(read));
        Assert.Equal([.. Bytes(100, 0), .. Bytes(100, 1)], read);
    }

    [Fact]
    public void Out_of_order_fin_takes_effect_when_the_hole_is_filled()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 11, h.Iss + 1, payload: Bytes(10, 1));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1);
        Assert.Equal(TcpState.Established, c.State);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 22, window: 32768 - 21);
        Assert.Equal(TcpState.CloseWait, c.State);
        Assert.Equal(20, c.Receive(new byte[64]));
        Assert.True(c.IsEndOfStream);
    }
}
