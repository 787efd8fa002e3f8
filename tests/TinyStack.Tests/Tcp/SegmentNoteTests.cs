using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>
/// Every segment TCP sends carries a <see cref="TxNote"/> that a capture prints as its comment:
/// why it was sent, which attempt, the RST's cause, and the sender's cwnd and RTO at that moment
/// (none for a segment that belongs to no connection).
/// </summary>
public class SegmentNoteTests
{
    [Theory]
    [InlineData(TxReason.TcpNewData, 0, 14600u, 200_000L, TcpResetCause.None, "TcpNewData cwnd=14600 rto=200ms")]
    [InlineData(TxReason.TcpRetransmitRto, 2, 1460u, 800_000L, TcpResetCause.None, "TcpRetransmitRto #2 cwnd=1460 rto=800ms")]
    [InlineData(TxReason.TcpSyn, 1, 14600u, 2_000_000L, TcpResetCause.None, "TcpSyn #1 cwnd=14600 rto=2s")]
    [InlineData(TxReason.TcpReset, 0, 0u, 0L, TcpResetCause.NoListener, "TcpReset cause=NoListener cwnd=- rto=-")]
    [InlineData(TxReason.TcpReset, 0, 5840u, 210_000L, TcpResetCause.ApplicationAbort, "TcpReset cause=ApplicationAbort cwnd=5840 rto=210ms")]
    [InlineData(TxReason.TcpSynAck, 0, 0u, 0L, TcpResetCause.None, "TcpSynAck cwnd=- rto=-")]
    [InlineData(TxReason.EchoReply, 0, 0u, 0L, TcpResetCause.None, "EchoReply")]
    [InlineData(TxReason.ArpRequest, 3, 0u, 0L, TcpResetCause.None, "ArpRequest #3")]
    public void The_comment_names_reason_attempt_cause_and_for_tcp_always_cwnd_and_rto(TxReason reason, int count, uint cwnd, long rtoMicroseconds, TcpResetCause cause, string expected)
    {
        var note = new TxNote(reason, count, cwnd, Duration.FromMicroseconds(rtoMicroseconds), cause);
        Assert.Equal(expected, note.ToString());
        Assert.Equal(expected + " after-arp", (note with { WaitedForArp = true }).ToString());
    }

    [Theory]
    [InlineData(TxReason.TcpSyn, true)]
    [InlineData(TxReason.TcpReset, true)]
    [InlineData(TxReason.TcpDelayedAck, true)]
    [InlineData(TxReason.UdpData, false)]
    [InlineData(TxReason.Fragment, false)]
    [InlineData(TxReason.Unspecified, false)]
    public void Only_tcp_reasons_count_as_tcp(TxReason reason, bool isTcp) => Assert.Equal(isTcp, new TxNote(reason).IsTcp);

    [Fact]
    public void Syn_and_its_retransmissions_carry_cwnd_and_the_backed_off_rto()
    {
        var h = new TcpHarness();
        TcpConnection c = h.Connect(out _);
        AssertConnectionNote(h.Next(), TxReason.TcpSyn, c);
        Duration first = c.Rto;

        h.Advance(first);
        Emitted again = h.Next();
        AssertConnectionNote(again, TxReason.TcpSyn, c, count: 1);
        Assert.Equal(first * 2, again.Note.Rto);
    }

    [Fact]
    public void Syn_ack_handshake_ack_new_data_and_fin_carry_the_connections_state()
    {
        var h = new TcpHarness();
        TcpListener listener = h.Layer.Listen(LocalPort);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460 });
        Emitted synAck = h.Next();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        TcpConnection c = Assert.IsType<TcpConnection>(listener.Accept());
        Assert.Equal(new TxNote(TxReason.TcpSynAck, 0, c.Cwnd, Duration.FromSeconds(1)), synAck.Note);

        c.Send(Bytes(100));
        AssertConnectionNote(h.Next(), TxReason.TcpNewData, c);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 101);

        // Data from the peer with PSH is acknowledged after the delayed-ACK timer...
        h.Send(TcpFlags.Ack | TcpFlags.Psh, RemoteIss + 1, h.Iss + 101, payload: Bytes(10));
        h.Advance(Duration.FromMilliseconds(200));
        AssertConnectionNote(h.Next(), TxReason.TcpDelayedAck, c);

        // ...and out-of-order data at once (RFC 5681 §4.2).
        h.Send(TcpFlags.Ack, RemoteIss + 1000, h.Iss + 101, payload: Bytes(10));
        AssertConnectionNote(h.Next(), TxReason.TcpAck, c);

        Assert.Equal(10, c.Receive(new byte[100]));
        c.Close();
        Emitted fin = h.Next();
        Assert.Equal(TcpFlags.Fin | TcpFlags.Ack, fin.Flags);
        AssertConnectionNote(fin, TxReason.TcpFin, c);
    }

    [Fact]
    public void Rto_retransmissions_count_the_backoffs_with_cwnd_one_segment()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(100));
        h.Next();
        Duration rto = c.Rto;

        h.Advance(rto);
        Emitted first = h.Next();
        AssertConnectionNote(first, TxReason.TcpRetransmitRto, c, count: 1);
        Assert.Equal((uint)Mss, first.Note.Cwnd);
        Assert.Equal(rto * 2, first.Note.Rto);

        h.Advance(rto * 2);
        Emitted second = h.Next();
        AssertConnectionNote(second, TxReason.TcpRetransmitRto, c, count: 2);
        Assert.Equal(rto * 4, second.Note.Rto);
    }

    [Fact]
    public void The_rest_of_the_window_resent_after_a_timeout_is_each_segments_first_retransmission()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(3 * Mss));
        for (int i = 0; i < 3; i++)
        {
            h.Next();
        }

        h.Advance(c.Rto);
        Emitted timer = h.Next();
        Assert.Equal(h.Iss + 1, timer.Seq);
        AssertConnectionNote(timer, TxReason.TcpRetransmitRto, c, count: 1);

        // The ACK for it ends the backoff; the next segments are resent from the timeout's recovery.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1 + Mss);
        Emitted next = h.Next();
        Assert.Equal(h.Iss + 1 + Mss, next.Seq);
        AssertConnectionNote(next, TxReason.TcpRetransmitRto, c, count: 1);
    }

    [Fact]
    public void Fast_and_sack_retransmissions_carry_the_reduced_cwnd()
    {
        var h = new TcpHarness(DefaultSettings() with { Sack = true });
        TcpConnection c = h.EstablishPassive(out _, new TcpOptions { Mss = 1460, SackPermitted = true });
        c.Send(Bytes(10 * Mss));
        for (int i = 0; i < 10; i++)
        {
            h.Next();
        }

        uint before = c.Cwnd;

        // Segments 0 and 3 are lost; the peer SACKs the rest as it arrives, a moment later. (With
        // no time passing, RACK would count the fast retransmission as sent no later than the
        // segments SACKed after it, and find it lost again.)
        h.Now += Duration.FromMicroseconds(100);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Sack(h, (1, 2)));
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Sack(h, (1, 3)));
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Sack(h, (4, 5), (1, 3)));
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Sack(h, (4, 6), (1, 3)));
        Emitted fast = h.Next();
        Assert.Equal(Seg(h, 0), fast.Seq);
        AssertConnectionNote(fast, TxReason.TcpFastRetransmit, c, count: 1);
        Assert.True(fast.Note.Cwnd < before, $"cwnd {fast.Note.Cwnd} was not reduced from {before}");

        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Sack(h, (4, 7), (1, 3)));
        Emitted hole = h.Next();
        Assert.Equal(Seg(h, 3), hole.Seq);
        AssertConnectionNote(hole, TxReason.TcpSackRetransmit, c, count: 1);
    }

    [Fact]
    public void Window_update_challenge_ack_zero_window_probe_and_keepalive_carry_cwnd_and_rto()
    {
        var h = new TcpHarness(DefaultSettings() with
        {
            ReceiveBufferSize = 4096,
            InitialBufferSize = 1024,
            KeepAlive = true,
            KeepAliveTime = Duration.FromSeconds(10),
        });
        TcpConnection c = h.EstablishPassive();

        // A window update after the application reads a full buffer.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(4096));
        h.Next();
        c.Receive(new byte[4096]);
        AssertConnectionNote(h.Next(), TxReason.TcpWindowUpdate, c);

        // A SYN in ESTABLISHED is challenged (RFC 5961 §4).
        h.Send(TcpFlags.Syn, RemoteIss + 4097);
        AssertConnectionNote(h.Next(), TxReason.TcpChallengeAck, c);

        // The peer closes its window: our data waits and the window is probed.
        h.Send(TcpFlags.Ack, RemoteIss + 4097, h.Iss + 1, window: 0);
        c.Send(Bytes(10));
        h.Advance(c.Rto);
        AssertConnectionNote(h.Next(), TxReason.TcpZeroWindowProbe, c, count: 1);

        // The window opens, the data is acknowledged, and an idle connection is kept alive.
        h.Send(TcpFlags.Ack, RemoteIss + 4097, h.Iss + 1, window: 5000);
        h.Next();
        h.Send(TcpFlags.Ack, RemoteIss + 4097, h.Iss + 11);
        h.Advance(Duration.FromSeconds(10));
        AssertConnectionNote(h.Next(), TxReason.TcpKeepalive, c, count: 1);
    }

    [Fact]
    public void A_reset_to_a_closed_port_says_no_listener_and_has_no_connection_state()
    {
        var h = new TcpHarness();
        h.Send(TcpFlags.Syn, RemoteIss);
        Emitted rst = h.Expect(TcpFlags.Rst | TcpFlags.Ack, 0, RemoteIss + 1, window: 0);
        Assert.Equal(new TxNote(TxReason.TcpReset, ResetCause: TcpResetCause.NoListener), rst.Note);
        Assert.Equal("TcpReset cause=NoListener cwnd=- rto=-", rst.Note.ToString());

        h.Send(TcpFlags.Ack, RemoteIss, 4242);
        Assert.Equal(new TxNote(TxReason.TcpReset, ResetCause: TcpResetCause.NoListener), h.Expect(TcpFlags.Rst, 4242, window: 0).Note);
    }

    [Fact]
    public void A_reset_for_an_ack_to_a_listener_says_so()
    {
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        h.Send(TcpFlags.Ack, RemoteIss, 777);
        Assert.Equal(new TxNote(TxReason.TcpReset, ResetCause: TcpResetCause.AckInListen), h.Expect(TcpFlags.Rst, 777, window: 0).Note);
    }

    [Fact]
    public void A_syn_cookie_syn_ack_belongs_to_no_connection()
    {
        var h = new TcpHarness(DefaultSettings() with { SynCookies = true });
        h.Layer.Listen(LocalPort, backlog: 1);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460 });
        h.Next();
        h.TheirPort = RemotePort + 1;
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460 });
        Emitted cookie = h.Next();
        Assert.Equal(1, h.Stats.SynCookiesSent);
        Assert.Equal(new TxNote(TxReason.TcpSynAck), cookie.Note);
        Assert.Equal("TcpSynAck cwnd=- rto=-", cookie.Note.ToString());
    }

    [Fact]
    public void A_reset_for_a_bad_ack_in_syn_sent_carries_the_cause_and_state()
    {
        var h = new TcpHarness();
        TcpConnection c = h.Connect(out _);
        h.Next();
        h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, h.Iss + 2);
        AssertReset(h.Expect(TcpFlags.Rst, h.Iss + 2, window: 0), TcpResetCause.BadAckInSynSent, c);
    }

    [Fact]
    public void A_reset_for_a_bad_ack_in_syn_received_carries_the_cause_and_state()
    {
        var h = new TcpHarness();
        h.ListenAndReceiveSyn();
        TcpConnection c = Assert.Single(h.Layer.Connections);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 7);
        AssertReset(h.Expect(TcpFlags.Rst, h.Iss + 7, window: 0), TcpResetCause.BadAckInSynReceived, c);
    }

    [Fact]
    public void A_reset_from_abort_says_application_abort()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        h.Next();
        c.Abort();
        AssertReset(h.Expect(TcpFlags.Rst, h.Iss + 11, window: 0), TcpResetCause.ApplicationAbort, c);
    }

    [Fact]
    public void A_reset_from_close_with_unread_data_says_so()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        c.Close();
        AssertReset(h.Expect(TcpFlags.Rst, h.Iss + 1, window: 0), TcpResetCause.CloseWithUnreadData, c);
    }

    [Fact]
    public void A_reset_for_data_after_close_says_so()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Close();
        Assert.Equal(TcpFlags.Fin | TcpFlags.Ack, h.Next().Flags);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        AssertReset(h.Expect(TcpFlags.Rst, h.Iss + 2, window: 0), TcpResetCause.DataAfterClose, c);
    }

    [Fact]
    public void Resets_of_a_closing_listeners_queues_say_listener_closed()
    {
        var h = new TcpHarness();
        TcpListener listener = h.ListenAndReceiveSyn();
        uint acceptedIss = h.Iss;
        h.Send(TcpFlags.Ack, RemoteIss + 1, acceptedIss + 1);
        TcpConnection queued = Assert.Single(h.Layer.Connections);

        // A second peer stays half-open in the SYN queue.
        h.TheirPort = RemotePort + 1;
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460 });
        Emitted synAck = h.Next();
        TcpConnection halfOpen = Assert.Single(h.Layer.Connections, x => x.State == TcpState.SynReceived);

        listener.Close();
        Emitted first = h.Next();
        Emitted second = h.Next();
        Assert.Equal(acceptedIss + 1, first.Seq);
        AssertReset(first, TcpResetCause.ListenerClosed, queued);
        Assert.Equal(synAck.Seq + 1, second.Seq);
        AssertReset(second, TcpResetCause.ListenerClosed, halfOpen);
    }

    /// <summary>The note names the reason and attempt, with the connection's cwnd and RTO (never zero in a connection).</summary>
    private static void AssertConnectionNote(Emitted emitted, TxReason reason, TcpConnection connection, int count = 0)
    {
        Assert.Equal(new TxNote(reason, count, connection.Cwnd, connection.Rto), emitted.Note);
        Assert.NotEqual(0u, emitted.Note.Cwnd);
        Assert.Contains($"cwnd={connection.Cwnd} rto={connection.Rto}", emitted.Note.ToString(), StringComparison.Ordinal);
    }

    private static void AssertReset(Emitted emitted, TcpResetCause cause, TcpConnection connection)
    {
        Assert.Equal(new TxNote(TxReason.TcpReset, 0, connection.Cwnd, connection.Rto, cause), emitted.Note);
        Assert.NotEqual(0u, emitted.Note.Cwnd);
        Assert.StartsWith($"TcpReset cause={cause} cwnd=", emitted.Note.ToString(), StringComparison.Ordinal);
    }

    private static uint Seg(TcpHarness h, int index) => h.Iss + 1 + (uint)(index * Mss);

    /// <summary>SACK blocks given in segment indexes [left, right), most recent first.</summary>
    private static TcpOptions Sack(TcpHarness h, params (int Left, int Right)[] blocks) => new TcpOptions().WithSackBlocks(
        blocks.Select(b => new SackBlock(new SeqNumber(Seg(h, b.Left)), new SeqNumber(Seg(h, b.Right)))).ToArray());
}
