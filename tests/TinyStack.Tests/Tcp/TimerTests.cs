using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Timers as data: NextDeadline, Poll, and a heap that only holds connections with work to do.</summary>
public class TimerTests
{
    [Fact]
    public void Next_deadline_follows_the_earliest_timer()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);

        // Application calls carry no time: output is due at the next Poll, whenever that is.
        c.Send(Bytes(10));
        Assert.Equal(Instant.Zero, h.Layer.NextDeadline);
        h.Poll();
        Assert.Equal(h.Now + Duration.FromMilliseconds(200), h.Layer.NextDeadline);

        h.Advance(Duration.FromMilliseconds(10));
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 11, payload: Bytes(5));
        Assert.Equal(h.Now + Duration.FromMilliseconds(40), h.Layer.NextDeadline);
        h.Advance(Duration.FromMilliseconds(40));
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
    }

    [Fact]
    public void Idle_connections_cost_no_timer_work()
    {
        var h = new TcpHarness();
        TcpListener listener = h.Layer.Listen(LocalPort, backlog: 1000);
        var connections = new List<TcpConnection>();
        for (int i = 0; i < 500; i++)
        {
            h.TheirPort = (ushort)(20000 + i);
            h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460 });
            Emitted synAck = h.Next();
            h.Send(TcpFlags.Ack, RemoteIss + 1, synAck.Seq + 1);
            connections.Add(listener.Accept()!);
        }

        Assert.Equal(500, h.Layer.ConnectionCount);
        Assert.Equal(0, h.Layer.Timers.Count);
        Assert.All(connections, c => Assert.Equal(0, c.SendBufferCapacity + c.ReceiveBufferCapacity));

        connections[123].Send(Bytes(1));
        h.Poll();
        Assert.Equal(1, h.Layer.Timers.Count);
    }

    [Fact]
    public void Observer_notifications_set_outside_processing_arrive_at_the_next_poll()
    {
        var h = new TcpHarness();
        TcpListener listener = h.ListenAndReceiveSyn();
        h.Send(TcpFlags.Ack | TcpFlags.Psh, RemoteIss + 1, h.Iss + 1, payload: Bytes(3));
        TcpConnection c = listener.Accept()!;
        var observer = new RecordingObserver();
        c.Observer = observer;
        Assert.Empty(observer.Events);
        Assert.Equal(Instant.Zero, h.Layer.NextDeadline);
        h.Layer.Poll(h.Now);
        Assert.Equal(["connected", "readable"], observer.Events);
    }

    [Fact]
    public void Poll_before_a_deadline_does_nothing()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        h.Poll();
        h.Clear();
        h.Layer.Poll(h.Now + Duration.FromMilliseconds(199));
        h.ExpectNothing();
        h.Layer.Poll(h.Now + Duration.FromMilliseconds(200));
        Assert.Equal(1, h.PendingCount);
    }
}
