using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>TIME-WAIT: 2 MSL (60 s as Linux), retransmitted FINs, RFC 6191 reuse.</summary>
public class TimeWaitTests
{
    private static TcpConnection InTimeWait(TcpHarness h, TcpOptions synOptions = default)
    {
        TcpConnection c = h.EstablishPassive(out _, synOptions);
        c.ShutdownWrite();
        h.Next();
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 2, options: Stamp(h, c, 200));
        h.Next();
        Assert.Equal(TcpState.TimeWait, c.State);
        return c;
    }

    private static TcpOptions Stamp(TcpHarness h, TcpConnection c, uint tsVal) =>
        c.TimestampsEnabled ? new TcpOptions { Timestamps = new TcpTimestamps(tsVal, 0) } : default;

    [Fact]
    public void Time_wait_lasts_two_msl_then_the_connection_is_gone()
    {
        var h = new TcpHarness();
        Instant start = h.Now;
        TcpConnection c = InTimeWait(h);
        Assert.Equal(start + Duration.FromSeconds(60), h.Layer.NextDeadline);
        h.ExpectNothing(start + Duration.FromMilliseconds(59_999));
        Assert.Equal(TcpState.TimeWait, c.State);
        Assert.Equal(1, h.Layer.ConnectionCount);
        h.AdvanceTo(start + Duration.FromSeconds(60));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void The_observer_hears_of_the_close_once()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        c.ShutdownWrite();
        h.Next();
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 2);
        h.Advance(Duration.FromSeconds(61));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Single(observer.Events, e => e.StartsWith("closed", StringComparison.Ordinal));
    }

    [Fact]
    public void Msl_is_configurable()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, Msl = Duration.FromSeconds(1) });
        Instant start = h.Now;
        TcpConnection c = InTimeWait(h);
        h.AdvanceTo(start + Duration.FromSeconds(2));
        Assert.Equal(TcpState.Closed, c.State);
    }

    [Fact]
    public void A_retransmitted_fin_is_acknowledged_and_restarts_the_timer()
    {
        var h = new TcpHarness();
        TcpConnection c = InTimeWait(h);
        h.Advance(Duration.FromSeconds(30));
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 2);
        h.Expect(TcpFlags.Ack, h.Iss + 2, RemoteIss + 2, window: 32767);
        Assert.Equal(h.Now + Duration.FromSeconds(60), h.Layer.NextDeadline);
        h.Advance(Duration.FromSeconds(59));
        Assert.Equal(TcpState.TimeWait, c.State);
    }

    [Fact]
    public void Rst_ends_time_wait_as_linux_does()
    {
        var h = new TcpHarness();
        TcpConnection c = InTimeWait(h);
        h.Send(TcpFlags.Rst, RemoteIss + 2);
        Assert.Equal(TcpState.Closed, c.State);
    }

    [Fact]
    public void A_new_syn_with_a_higher_sequence_number_reuses_the_tuple()
    {
        var h = new TcpHarness();
        TcpConnection old = InTimeWait(h);
        uint oldSndNxt = old.SndNxt.Value;
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Syn, RemoteIss + 10_000, options: new TcpOptions { Mss = 1460 }));
        Emitted synAck = h.Next();
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
        Assert.Equal(RemoteIss + 10_001, synAck.Ack);

        // As Linux, the new ISS lies beyond anything the old incarnation used.
        Assert.Equal(oldSndNxt + 65537, synAck.Seq);
        Assert.Equal(TcpState.Closed, old.State);
        Assert.Equal(1, h.Stats.TimeWaitReused);
    }

    [Fact]
    public void A_syn_with_an_old_sequence_number_does_not_reuse_the_tuple()
    {
        var h = new TcpHarness();
        TcpConnection old = InTimeWait(h);
        h.Send(TcpFlags.Syn, unchecked(RemoteIss - 5000), options: new TcpOptions { Mss = 1460 });
        Emitted answer = h.Next();
        Assert.Equal(TcpFlags.Ack, answer.Flags);
        Assert.Equal(TcpState.TimeWait, old.State);
    }

    [Fact]
    public void With_timestamps_a_newer_tsval_decides_reuse()
    {
        var h = new TcpHarness(new TcpSettings { Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024 });
        var synOptions = new TcpOptions { Mss = 1460, Timestamps = new TcpTimestamps(100, 0) };
        TcpConnection old = InTimeWait(h, synOptions);
        Assert.True(old.TimestampsEnabled);

        // An older TSval is refused even with a higher sequence number...
        h.Send(TcpFlags.Syn, RemoteIss + 10_000, options: synOptions with { Timestamps = new TcpTimestamps(150, 0) });
        Assert.Equal(TcpFlags.Ack, h.Next().Flags);
        Assert.Equal(TcpState.TimeWait, old.State);

        // ...a newer one is taken even with a lower sequence number.
        h.Send(TcpFlags.Syn, unchecked(RemoteIss - 10_000), options: synOptions with { Timestamps = new TcpTimestamps(300, 0) });
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, h.Next().Flags);
        Assert.Equal(TcpState.Closed, old.State);
    }

    [Fact]
    public void Beyond_max_time_wait_a_closing_connection_is_forgotten_at_once()
    {
        var network = new SimulatedNetwork(new TcpSettings { MaxTimeWait = 2 }, seed: 5);
        TcpListener listener = network.B.Layer.Listen(9000);
        var servers = new List<TcpConnection>();
        for (int i = 0; i < 3; i++)
        {
            // B closes first, so B is the side that would wait in TIME-WAIT.
            TcpConnection client = network.A.Layer.Connect(network.B.Address, 9000, network.Now);
            TcpConnection? server = null;
            Assert.True(network.Run(() => (server ??= listener.Accept()) is not null && client.State == TcpState.Established, network.Now + Duration.FromSeconds(5)));
            server!.Close();
            Assert.True(network.Run(() => client.State == TcpState.CloseWait, network.Now + Duration.FromSeconds(5)));
            client.Close();
            Assert.True(network.Run(() => client.State == TcpState.Closed, network.Now + Duration.FromSeconds(5)));
            servers.Add(server);
        }

        Assert.Equal([TcpState.TimeWait, TcpState.TimeWait, TcpState.Closed], servers.Select(s => s.State));
        Assert.Equal(2, network.B.Layer.Stats.CurrentTimeWait);
        Assert.Equal(1, network.B.Layer.Stats.TimeWaitOverflows);
        Assert.Equal(2, network.B.Layer.ConnectionCount);
        Assert.Equal(TcpError.None, servers[2].Error);

        // The two in TIME-WAIT end after 2 MSL; the count follows them down.
        network.Run(() => false, network.Now + Duration.FromSeconds(61));
        Assert.Equal(0, network.B.Layer.Stats.CurrentTimeWait);
        Assert.Equal(0, network.B.Layer.ConnectionCount);
    }

    [Fact]
    public void With_no_room_for_time_wait_a_retransmitted_fin_meets_a_reset()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, MaxTimeWait = 0 });
        TcpConnection c = h.EstablishPassive();
        c.ShutdownWrite();
        h.Next();
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 2);
        h.Next(); // the ACK of the peer's FIN
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(0, h.Layer.ConnectionCount);
        Assert.Equal(1, h.Layer.Stats.TimeWaitOverflows);

        // As Linux after a TIME-WAIT overflow: the tuple is unknown now.
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 2);
        h.Expect(TcpFlags.Rst, h.Iss + 2, window: 0);
    }
}
