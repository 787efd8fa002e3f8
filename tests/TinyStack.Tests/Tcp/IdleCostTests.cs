using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Wire;
using Xunit.Abstractions;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Cost grows with work, not with idle state: an idle established connection holds no buffers and little memory.</summary>
[Collection(MemoryMeasurementCollection.Name)]
public class IdleCostTests(ITestOutputHelper output)
{
    [Fact]
    public void An_idle_connection_costs_about_a_kilobyte()
    {
        const int Count = 2000;
        var h = new TcpHarness(new TcpSettings { Timestamps = true, Sack = true, WindowScaling = true });
        TcpListener listener = h.Layer.Listen(LocalPort, backlog: Count);
        var connections = new List<TcpConnection>(Count);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < Count; i++)
        {
            h.TheirPort = (ushort)(10000 + i);
            h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460, SackPermitted = true, WindowScale = 7, Timestamps = new TcpTimestamps(1, 0) });
            Emitted synAck = h.Next();
            h.Send(TcpFlags.Ack, RemoteIss + 1, synAck.Seq + 1, options: new TcpOptions { Timestamps = new TcpTimestamps(2, synAck.Options.Timestamps!.Value.TsVal) });
            connections.Add(listener.Accept()!);
        }

        h.Clear();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        double perConnection = (after - before) / (double)Count;
        output.WriteLine($"{perConnection:0} bytes per idle established connection");
        Assert.All(connections, c => Assert.Equal(TcpState.Established, c.State));
        Assert.True(perConnection < 2048, $"{perConnection:0} bytes per idle connection");
        GC.KeepAlive(connections);
    }
}
