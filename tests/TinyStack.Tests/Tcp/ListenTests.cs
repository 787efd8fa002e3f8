using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>RFC 9293 §3.10.7.2: segments arriving for a listener.</summary>
public class ListenTests
{
    private static readonly TcpOptions s_mss = new() { Mss = 1460 };

    [Fact]
    public void Syn_is_answered_with_syn_ack_and_a_half_open_connection()
    {
        var h = new TcpHarness();
        TcpListener listener = h.Layer.Listen(LocalPort, backlog: 4);
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Syn, RemoteIss, options: s_mss));

        Emitted synAck = h.Expect(TcpFlags.Syn | TcpFlags.Ack, h.Iss, RemoteIss + 1, options: s_mss, reason: TxReason.TcpSynAck);
        Assert.Equal(LocalIp, synAck.Source);
        Assert.Equal(RemoteIp, synAck.Destination);
        Assert.Equal(1, listener.SynQueueLength);
        Assert.Equal(0, listener.PendingCount);
        TcpConnection? connection = h.Layer.FindConnection(new TcpTuple(LocalIp, LocalPort, RemoteIp, RemotePort));
        Assert.NotNull(connection);
        Assert.Equal(TcpState.SynReceived, connection.State);
        Assert.Equal(1, h.Stats.SegmentsSent);
    }

    [Fact]
    public void Syn_ack_echoes_only_the_options_the_peer_offered()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = true, WindowScaling = true, ReceiveBufferSize = 256 * 1024 });
        h.Layer.Listen(LocalPort);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1400, SackPermitted = true });

        // No window scale from the peer means none from us (RFC 7323 §2.2), and an unscaled window.
        h.Expect(TcpFlags.Syn | TcpFlags.Ack, h.Iss, RemoteIss + 1, window: 65535, options: new TcpOptions { Mss = 1460, SackPermitted = true });
    }

    [Fact]
    public void Syn_ack_offers_window_scale_and_timestamps_when_the_peer_did()
    {
        var h = new TcpHarness(new TcpSettings { ReceiveBufferSize = 256 * 1024 });
        h.Layer.Listen(LocalPort);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460, SackPermitted = true, WindowScale = 7, Timestamps = new TcpTimestamps(5555, 0) });
        Emitted synAck = h.Next();
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
        Assert.Equal((ushort)1460, synAck.Options.Mss);
        Assert.True(synAck.Options.SackPermitted);

        // 256 KiB needs a shift of 3 to fit 16 bits (RFC 7323 §2.3).
        Assert.Equal((byte)3, synAck.Options.WindowScale);
        Assert.Equal(5555u, synAck.Options.Timestamps!.Value.TsEcr);
        Assert.Equal(65535, synAck.Window);
    }

    [Fact]
    public void Rst_is_ignored()
    {
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        Assert.Equal(DropReason.TcpRstIgnored, h.Send(TcpFlags.Rst, RemoteIss));
        h.ExpectNothing();
    }

    [Fact]
    public void Ack_is_answered_with_reset_at_seg_ack()
    {
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        Assert.Equal(DropReason.TcpNoConnection, h.Send(TcpFlags.Ack, RemoteIss, ack: 777));
        h.Expect(TcpFlags.Rst, 777, window: 0, reason: TxReason.TcpReset);
    }

    [Fact]
    public void Syn_ack_to_a_listener_is_answered_with_reset()
    {
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, ack: 9999);
        h.Expect(TcpFlags.Rst, 9999, window: 0);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void Segment_without_syn_ack_or_rst_is_dropped_silently()
    {
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        Assert.Equal(DropReason.TcpNoConnection, h.Send(TcpFlags.Fin, RemoteIss));
        h.ExpectNothing();
    }

    [Fact]
    public void Syn_with_data_is_answered_without_acknowledging_the_data()
    {
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss, payload: Bytes(10));
        h.Expect(TcpFlags.Syn | TcpFlags.Ack, h.Iss, RemoteIss + 1, options: s_mss);
    }

    [Fact]
    public void Full_accept_queue_drops_new_syns()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, SynCookies = false });
        TcpListener listener = h.Layer.Listen(LocalPort, backlog: 1);
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
        Emitted synAck = h.Next();
        h.Send(TcpFlags.Ack, RemoteIss + 1, synAck.Seq + 1);
        Assert.Equal(1, listener.PendingCount);

        h.TheirPort = RemotePort + 1;
        Assert.Equal(DropReason.TcpListenQueueFull, h.Send(TcpFlags.Syn, RemoteIss, options: s_mss));
        h.ExpectNothing();
        Assert.Equal(1, h.Stats.ListenOverflows);
    }

    [Fact]
    public void Accept_returns_connections_in_order_and_notifies_the_observer()
    {
        var h = new TcpHarness();
        TcpListener listener = h.Layer.Listen(LocalPort);
        var observer = new RecordingObserver();
        listener.Observer = observer;
        Assert.Null(listener.Accept());
        for (ushort i = 0; i < 2; i++)
        {
            h.TheirPort = (ushort)(RemotePort + i);
            h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
            Emitted synAck = h.Next();
            h.Send(TcpFlags.Ack, RemoteIss + 1, synAck.Seq + 1);
        }

        Assert.Equal(["acceptable", "acceptable"], observer.Events);
        Assert.Equal(RemotePort, listener.Accept()!.Tuple.RemotePort);
        Assert.Equal((ushort)(RemotePort + 1), listener.Accept()!.Tuple.RemotePort);
        Assert.Null(listener.Accept());
    }

    [Fact]
    public void Closing_the_listener_resets_connections_not_yet_accepted()
    {
        var h = new TcpHarness();
        TcpListener listener = h.ListenAndReceiveSyn();
        uint iss = h.Iss;
        h.Send(TcpFlags.Ack, RemoteIss + 1, iss + 1);
        listener.Close();
        h.Expect(TcpFlags.Rst, iss + 1, window: 0);
        Assert.Equal(0, h.Layer.ConnectionCount);

        // The port is closed now: a SYN gets a reset.
        h.Send(TcpFlags.Syn, RemoteIss + 100);
        h.Expect(TcpFlags.Rst | TcpFlags.Ack, 0, RemoteIss + 101, window: 0);
    }

    [Fact]
    public void Listening_twice_on_a_port_is_refused()
    {
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        Assert.Throws<InvalidOperationException>(() => h.Layer.Listen(LocalPort));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Layer.Listen(0));
    }

    [Fact]
    public void Syn_from_a_broadcast_source_is_discarded()
    {
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        var header = new TcpHeader(RemotePort, LocalPort, new SeqNumber(RemoteIss), default, TcpFlags.Syn, 1000);
        byte[] bytes = Build(header, [], Ipv4Address.Broadcast, LocalIp);
        Assert.Equal(DropReason.TcpNoConnection, h.Layer.HandleSegment(Ipv4Address.Broadcast, LocalIp, bytes, h.Now));
        h.ExpectNothing();
    }
}
