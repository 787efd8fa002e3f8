using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>RFC 9293 §3.10.7.4 in ESTABLISHED.</summary>
public class EstablishedTests
{
    [Fact]
    public void Received_data_is_readable_and_its_ack_is_delayed_40_ms()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Ack | TcpFlags.Psh, RemoteIss + 1, h.Iss + 1, payload: Bytes(100)));
        Assert.Equal(["readable"], observer.Events);
        Instant arrival = h.Now;
        h.ExpectNothing(arrival + Duration.FromMilliseconds(39));
        h.AdvanceTo(arrival + Duration.FromMilliseconds(40));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 101, window: 32668, reason: TxReason.TcpDelayedAck);

        byte[] read = new byte[200];
        Assert.Equal(100, c.Receive(read));
        Assert.Equal(Bytes(100), read[..100]);
        Assert.Equal(0, c.Receive(read));
        Assert.False(c.IsEndOfStream);
    }

    [Fact]
    public void Every_second_full_sized_segment_is_acknowledged_at_once()
    {
        var h = new TcpHarness();
        h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(Mss));
        h.ExpectNothing();
        h.Send(TcpFlags.Ack, RemoteIss + 1 + Mss, h.Iss + 1, payload: Bytes(Mss));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1 + (2 * Mss), window: 32768 - (2 * Mss), reason: TxReason.TcpAck);
    }

    [Fact]
    public void Sent_data_goes_out_with_psh_and_is_freed_by_the_ack()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        Assert.Equal(100, c.Send(Bytes(100)));
        Emitted data = h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1, RemoteIss + 1, payload: Bytes(100), reason: TxReason.TcpNewData);
        Assert.Equal(c.Cwnd, data.Note.Cwnd);
        // The handshake measured an RTT of 0 in virtual time, so the RTO sits at its 200 ms floor.
        Assert.Equal(Duration.FromMilliseconds(200), data.Note.Rto);
        Assert.Equal(h.Now + Duration.FromMilliseconds(200), h.Layer.NextDeadline);
        Assert.Equal(100, c.BufferedSendBytes);

        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 101);
        Assert.Equal(0, c.BufferedSendBytes);
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
        Assert.Equal(h.Iss + 101, c.SndUna.Value);
        h.ExpectNothing();
        Assert.Empty(observer.Events);
    }

    [Fact]
    public void A_large_send_is_cut_into_full_segments()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        byte[] data = Bytes(3000);
        Assert.Equal(3000, c.Send(data));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, payload: data[..Mss]);
        h.Expect(TcpFlags.Ack, h.Iss + 1 + Mss, RemoteIss + 1, payload: data[Mss..(2 * Mss)]);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1 + (2 * Mss), RemoteIss + 1, payload: data[(2 * Mss)..]);
        h.ExpectNothing();
    }

    [Fact]
    public void Peer_fin_moves_to_close_wait_and_is_acknowledged_at_once()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 1, payload: Bytes(5));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 7, window: 32768 - 6, reason: TxReason.TcpAck);
        Assert.Equal(TcpState.CloseWait, c.State);
        Assert.False(c.IsEndOfStream);
        Assert.Equal(5, c.Receive(new byte[10]));
        Assert.True(c.IsEndOfStream);
        Assert.Equal(["readable"], observer.Events);
    }

    [Fact]
    public void Rst_at_rcv_nxt_resets_the_connection()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        h.Send(TcpFlags.Rst, RemoteIss + 1);
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(TcpError.ConnectionReset, c.Error);
        Assert.Equal(TcpError.ConnectionReset, observer.ClosedWith);
        Assert.Equal(1, h.Stats.EstablishedResets);
        Assert.Equal(0, h.Stats.CurrentEstablished);
        h.ExpectNothing();
    }

    [Fact]
    public void Rst_in_window_elsewhere_gets_a_challenge_ack()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal(DropReason.TcpRstIgnored, h.Send(TcpFlags.Rst, RemoteIss + 2));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpChallengeAck);
        Assert.Equal(TcpState.Established, c.State);
    }

    [Fact]
    public void Rst_outside_the_window_is_dropped_silently()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal(DropReason.TcpRstIgnored, h.Send(TcpFlags.Rst, RemoteIss + 1 + 40_000));
        Assert.Equal(DropReason.TcpRstIgnored, h.Send(TcpFlags.Rst, RemoteIss));
        h.ExpectNothing();
        Assert.Equal(TcpState.Established, c.State);
    }

    [Fact]
    public void Syn_gets_a_challenge_ack_whatever_its_sequence_number()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Syn, RemoteIss + 1);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpChallengeAck);

        // Outside the window the sequence check answers first, with a plain duplicate ACK.
        h.Send(TcpFlags.Syn, RemoteIss + 100_000);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpAck);
        Assert.Equal(TcpState.Established, c.State);
    }

    [Fact]
    public void Data_outside_the_window_is_answered_with_a_duplicate_ack()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal(DropReason.TcpOutOfWindow, h.Send(TcpFlags.Ack, RemoteIss + 1 + 32768, h.Iss + 1, payload: Bytes(10)));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1);
        Assert.Equal(0, c.ReadableBytes);
    }

    [Fact]
    public void Old_duplicate_data_is_acknowledged_and_not_delivered_twice()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        Assert.Equal(DropReason.TcpDuplicate, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10)));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 11, window: 32758);
        Assert.Equal(10, c.ReadableBytes);
    }

    [Fact]
    public void Ack_of_unsent_data_gets_a_challenge_ack_and_the_segment_is_dropped()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal(DropReason.TcpBadAck, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 50, payload: Bytes(10)));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpChallengeAck);
        Assert.Equal(0, c.ReadableBytes);
    }

    [Fact]
    public void Segment_without_ack_is_dropped()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal(DropReason.TcpBadAck, h.Send(TcpFlags.Psh, RemoteIss + 1, payload: Bytes(10)));
        h.ExpectNothing();
        Assert.Equal(0, c.ReadableBytes);
    }

    [Fact]
    public void Shutdown_write_sends_fin_and_enters_fin_wait_1()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.ShutdownWrite();
        Assert.Equal(TcpState.FinWait1, c.State);
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpFin);
        Assert.False(c.CanSend);
        Assert.Throws<InvalidOperationException>(() => c.Send([1]));
    }

    [Fact]
    public void Queued_data_and_fin_share_the_last_segment()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        c.ShutdownWrite();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin, h.Iss + 1, RemoteIss + 1, payload: Bytes(10), reason: TxReason.TcpFin);
        h.ExpectNothing();
    }

    [Fact]
    public void Abort_sends_rst_at_snd_nxt()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        c.Send(Bytes(10));
        h.Next();
        c.Abort();
        h.Expect(TcpFlags.Rst, h.Iss + 11, window: 0, reason: TxReason.TcpReset);
        Assert.Equal(TcpState.Closed, c.State);
        h.Poll();
        Assert.Equal(TcpError.Aborted, observer.ClosedWith);
        h.ExpectNothing(h.Now + Duration.FromSeconds(10));
    }

    [Fact]
    public void Close_with_unread_data_resets_like_linux()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        c.Close();
        h.Expect(TcpFlags.Rst, h.Iss + 1, window: 0);
        Assert.Equal(TcpState.Closed, c.State);
    }

    [Fact]
    public void Active_open_connection_exchanges_data_both_ways()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishActive();
        c.Send(Bytes(20));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1, RemoteIss + 1, payload: Bytes(20));
        h.Send(TcpFlags.Ack | TcpFlags.Psh, RemoteIss + 1, h.Iss + 21, payload: Bytes(30, 7));
        byte[] buffer = new byte[64];
        Assert.Equal(30, c.Receive(buffer));
        Assert.Equal(Bytes(30, 7), buffer[..30]);
    }
}
