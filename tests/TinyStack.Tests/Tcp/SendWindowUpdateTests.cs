using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>
/// Which segments may update SND.WND (RFC 9293 §3.10.7.4, fifth step): a reordered old segment
/// must not pull the right edge back, and a segment that acknowledges new data always carries
/// the peer's current window, whatever its sequence number.
/// </summary>
public class SendWindowUpdateTests
{
    [Fact]
    public void A_window_update_overtaken_by_the_older_ack_with_the_same_seq_and_ack_keeps_the_larger_window()
    {
        var h = new TcpHarness();
        TcpConnection c = FillFourThousandByteWindow(h);

        // The peer acknowledged everything with window 1000 (its application had not read yet),
        // then read and sent a window update, 4000, with the same SEQ and ACK. The update arrives
        // first; the older ACK, identical but for the window, arrives after it.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 4001, window: 4000);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 4001, window: 1000);
        h.ExpectNothing();

        // The right edge the peer offered is SEG.ACK + 4000: a receiver never moves it left
        // (RFC 9293 §3.8.6.2.2), so the smaller window at the same SEQ and ACK is the older one.
        Assert.Equal(4000u, c.SndWnd);
        c.Send(Bytes(4000, 7));
        h.Expect(TcpFlags.Ack, h.Iss + 4001, RemoteIss + 1, payload: Bytes(4000, 7)[..Mss]);
        h.Expect(TcpFlags.Ack, h.Iss + 4001 + Mss, RemoteIss + 1, payload: Bytes(4000, 7)[Mss..(2 * Mss)]);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 4001 + (2 * Mss), RemoteIss + 1, payload: Bytes(4000, 7)[(2 * Mss)..]);
        h.ExpectNothing();
    }

    [Fact]
    public void A_larger_window_at_the_same_seq_and_ack_is_taken()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out _, peerWindow: 1000);
        c.Send(Bytes(3000));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, payload: Bytes(3000)[..1000]);
        h.ExpectNothing();

        // A window update (same SEQ and ACK, larger window) opens the window: the rest goes out.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 3000);
        h.Expect(TcpFlags.Ack, h.Iss + 1001, RemoteIss + 1, payload: Bytes(3000)[1000..(1000 + Mss)]);
        Assert.Equal(3000u, c.SndWnd);
    }

    [Fact]
    public void A_retransmission_that_fills_a_hole_updates_the_window_with_its_new_ack()
    {
        var h = new TcpHarness();
        const ushort window = 3 * Mss;
        TcpConnection c = h.EstablishPassive(out _, peerWindow: window);

        // The peer's second segment arrives, its first is lost: SND.WL1 is now RemoteIss + 101.
        h.Send(TcpFlags.Ack, RemoteIss + 101, h.Iss + 1, window: window, payload: Bytes(100, 2));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1);

        c.Send(Bytes(8000));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, payload: Bytes(8000)[..Mss]);
        h.Expect(TcpFlags.Ack, h.Iss + 1 + Mss, RemoteIss + 1, payload: Bytes(8000)[Mss..(2 * Mss)]);
        h.Expect(TcpFlags.Ack, h.Iss + 1 + (2 * Mss), RemoteIss + 1, payload: Bytes(8000)[(2 * Mss)..(3 * Mss)]);
        h.ExpectNothing();

        // The peer retransmits its first segment (SEG.SEQ < SND.WL1) with its current ACK and
        // window: two segments acknowledged, none read, so the right edge stays at ISS + 1 + 3 MSS.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1 + (2 * Mss), window: Mss, payload: Bytes(100, 1));

        // The hole is filled (an immediate ACK), and nothing may be sent beyond that edge.
        h.Expect(TcpFlags.Ack, h.Iss + 1 + (3 * Mss), RemoteIss + 201, window: 32768 - 200);
        h.ExpectNothing();
        Assert.Equal((uint)Mss, c.SndWnd);
        Assert.Equal(Mss, c.SndNxt - c.SndUna);
    }

    [Fact]
    public void An_old_ack_below_snd_una_does_not_change_the_window()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out _, peerWindow: 4000);
        c.Send(Bytes(2000));
        h.Next();
        h.Next();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 2001, window: 4000);

        // A reordered ACK of the first segment, from before the peer's window was 4000.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1 + Mss, window: 100);
        Assert.Equal(4000u, c.SndWnd);
    }

    [Fact]
    public void A_duplicated_old_zero_window_ack_does_not_shrink_the_window_a_newer_update_opened()
    {
        var h = new TcpHarness();
        TcpConnection c = FillFourThousandByteWindow(h);

        // The peer's buffer filled: it acknowledged everything with a zero window. Its application
        // then read, and it sent a window update (same SEQ and ACK, window 4000); we fill it.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 4001, window: 0);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 4001, window: 4000);
        c.Send(Bytes(4000, 7));
        h.Expect(TcpFlags.Ack, h.Iss + 4001, RemoteIss + 1, payload: Bytes(4000, 7)[..Mss]);
        h.Expect(TcpFlags.Ack, h.Iss + 4001 + Mss, RemoteIss + 1, payload: Bytes(4000, 7)[Mss..(2 * Mss)]);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 4001 + (2 * Mss), RemoteIss + 1, payload: Bytes(4000, 7)[(2 * Mss)..]);

        // Now the network delivers a duplicate of the old zero-window ACK. It is identical to the
        // update in SEQ and ACK, so the RFC test cannot order them; the right edge the peer
        // offered (SEG.ACK + 4000) never moves left, so it is the older one and must not be taken:
        // taking it would leave 4000 bytes in flight beyond a window of 0.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 4001, window: 0);
        Assert.Equal(4000u, c.SndWnd);
        Assert.True(c.SndNxt - c.SndUna <= (int)c.SndWnd);

        // The data is acknowledged as usual, and no zero-window probe was ever due.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 8001, window: 4000);
        h.ExpectNothing(at: h.Now + Duration.FromSeconds(5));
        Assert.Equal(0, h.Stats.ZeroWindowProbes);
    }

    /// <summary>An established connection whose peer offered 4000 bytes, all sent (three segments).</summary>
    private static TcpConnection FillFourThousandByteWindow(TcpHarness h)
    {
        TcpConnection c = h.EstablishPassive(out _, peerWindow: 4000);
        c.Send(Bytes(4000));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, payload: Bytes(4000)[..Mss]);
        h.Expect(TcpFlags.Ack, h.Iss + 1 + Mss, RemoteIss + 1, payload: Bytes(4000)[Mss..(2 * Mss)]);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1 + (2 * Mss), RemoteIss + 1, payload: Bytes(4000)[(2 * Mss)..]);
        return c;
    }
}
