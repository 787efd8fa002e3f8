using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>RFC 9293 §3.10.7.4 in SYN-RECEIVED.</summary>
public class SynReceivedTests
{
    private static readonly TcpOptions s_mss = new() { Mss = 1460 };

    private static TcpConnection HalfOpen(TcpHarness h, out TcpListener listener)
    {
        listener = h.ListenAndReceiveSyn();
        return h.Layer.FindConnection(new TcpTuple(LocalIp, LocalPort, RemoteIp, RemotePort))!;
    }

    [Fact]
    public void Ack_of_our_syn_establishes_and_queues_for_accept()
    {
        var h = new TcpHarness();
        TcpConnection connection = HalfOpen(h, out TcpListener listener);
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 4000));
        Assert.Equal(TcpState.Established, connection.State);
        Assert.Equal(4000u, connection.SndWnd);
        Assert.Equal(0, listener.SynQueueLength);
        Assert.Same(connection, listener.Accept());
        Assert.Equal(1, h.Stats.PassiveOpens);
        Assert.Equal(1, h.Stats.CurrentEstablished);
        h.ExpectNothing();
    }

    [Fact]
    public void Unacceptable_ack_is_answered_with_reset()
    {
        var h = new TcpHarness();
        TcpConnection connection = HalfOpen(h, out _);
        Assert.Equal(DropReason.TcpBadAck, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 7));
        h.Expect(TcpFlags.Rst, h.Iss + 7, window: 0);
        Assert.Equal(TcpState.SynReceived, connection.State);
    }

    [Fact]
    public void Retransmitted_syn_gets_the_syn_ack_again()
    {
        var h = new TcpHarness();
        HalfOpen(h, out _);
        Assert.Equal(DropReason.TcpDuplicate, h.Send(TcpFlags.Syn, RemoteIss, options: s_mss));
        h.Expect(TcpFlags.Syn | TcpFlags.Ack, h.Iss, RemoteIss + 1, options: s_mss, reason: TxReason.TcpSynAck);
    }

    [Fact]
    public void Syn_ack_is_retransmitted_then_the_half_open_connection_is_dropped()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, SynAckRetries = 1 });
        Instant start = h.Now;
        TcpConnection connection = HalfOpen(h, out TcpListener listener);
        h.AdvanceTo(start + Duration.FromSeconds(1));
        Assert.Equal(1, h.Expect(TcpFlags.Syn | TcpFlags.Ack, h.Iss, RemoteIss + 1, options: s_mss).Note.Count);
        h.AdvanceTo(start + Duration.FromSeconds(3));
        Assert.Equal(TcpState.Closed, connection.State);
        Assert.Equal(0, listener.SynQueueLength);
        Assert.Equal(0, h.Layer.ConnectionCount);
        h.ExpectNothing();
    }

    [Fact]
    public void Rst_at_rcv_nxt_returns_to_listen()
    {
        var h = new TcpHarness();
        TcpConnection connection = HalfOpen(h, out TcpListener listener);
        h.Send(TcpFlags.Rst, RemoteIss + 1);
        Assert.Equal(TcpState.Closed, connection.State);
        Assert.Equal(0, listener.SynQueueLength);
        h.ExpectNothing();

        // The listener still listens.
        h.Send(TcpFlags.Syn, RemoteIss + 5000, options: s_mss);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, h.Next().Flags);
    }

    [Fact]
    public void Rst_in_window_but_not_at_rcv_nxt_gets_a_challenge_ack()
    {
        var h = new TcpHarness();
        TcpConnection connection = HalfOpen(h, out _);
        Assert.Equal(DropReason.TcpRstIgnored, h.Send(TcpFlags.Rst, RemoteIss + 100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpChallengeAck);
        Assert.Equal(TcpState.SynReceived, connection.State);
    }

    [Fact]
    public void New_syn_with_another_sequence_number_forgets_the_half_open_connection()
    {
        var h = new TcpHarness();
        TcpConnection connection = HalfOpen(h, out _);
        h.Send(TcpFlags.Syn, RemoteIss + 10, options: s_mss);
        Assert.Equal(TcpState.Closed, connection.State);
        h.ExpectNothing();
    }

    [Fact]
    public void Data_and_fin_in_the_final_ack_are_processed()
    {
        var h = new TcpHarness();
        TcpConnection connection = HalfOpen(h, out _);
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        Assert.Equal(TcpState.CloseWait, connection.State);
        Assert.Equal(10, connection.ReadableBytes);
        // The right edge stays where the SYN-ACK put it; the FIN used one number of the window.
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 12, window: (ushort)(32768 - 11));
    }

    [Fact]
    public void Ack_without_room_in_the_accept_queue_is_dropped_until_room_appears()
    {
        var h = new TcpHarness();
        TcpListener listener = h.Layer.Listen(LocalPort, backlog: 1);
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
        uint iss1 = h.Next().Seq;
        h.TheirPort = RemotePort + 1;
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
        uint iss2 = h.Next().Seq;

        h.TheirPort = RemotePort;
        h.Send(TcpFlags.Ack, RemoteIss + 1, iss1 + 1);
        h.TheirPort = RemotePort + 1;
        Assert.Equal(DropReason.TcpListenQueueFull, h.Send(TcpFlags.Ack, RemoteIss + 1, iss2 + 1));
        Assert.NotNull(listener.Accept());
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Ack, RemoteIss + 1, iss2 + 1));
        Assert.NotNull(listener.Accept());
    }
}
