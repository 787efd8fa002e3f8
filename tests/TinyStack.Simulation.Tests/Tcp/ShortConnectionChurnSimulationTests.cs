using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;
using Xunit.Abstractions;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// Ten thousand short connections one after another (connect, a few bytes, close): every one
/// ends in CLOSED or TIME-WAIT on each side, TIME-WAIT ends after 2 MSL, and the connection
/// tables end up empty, with no memory left behind.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class ShortConnectionChurnSimulationTests(ITestOutputHelper output)
{
    private const int Count = 10_000;
    private static readonly Duration s_msl = Duration.FromMilliseconds(50);
    private static readonly Ipv4Address s_serverIp = Ipv4Address.Parse("10.0.0.2");

    [Fact]
    public void Ten_thousand_short_connections_leave_empty_tables_after_time_wait()
    {
        (MemoryLink aEnd, MemoryLink bEnd) = MemoryLink.CreatePair(capacity: 1024);
        FaultInjectingLink delayed = new(bEnd, new FaultOptions { Delay = Duration.FromMicroseconds(100), Seed = 41 });
        using VirtualNetwork network = new(recordFrames: 1024);
        network.CaptureOnFailure("short-connections", () => Churn(network, aEnd, delayed));
    }

    private void Churn(VirtualNetwork network, ILinkDevice serverLink, ILinkDevice clientLink)
    {
        StackNode server = network.AddStack(Options("10.0.0.2/24", "02:54:53:00:00:02", 41), serverLink);
        StackNode client = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", 42), clientLink);
        TcpListener listener = server.Stack.Tcp.Listen(80);
        byte[] request = "hello"u8.ToArray();
        byte[] buffer = new byte[16];

        // Memory is measured once the first thousand connections have brought every pool and
        // queue to its working size, and again at the end: what the last nine thousand left behind.
        const int WarmUp = 1000;
        long before = 0;
        int largestTable = 0;
        for (int i = 0; i < Count; i++)
        {
            if (i == WarmUp)
            {
                before = GC.GetTotalMemory(forceFullCollection: true);
            }

            RunOne(i);
            largestTable = Math.Max(largestTable, Math.Max(client.Stack.Tcp.ConnectionCount, server.Stack.Tcp.ConnectionCount));
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        Instant lastClosed = network.Now;
        Assert.True(client.Stack.Tcp.ConnectionCount + server.Stack.Tcp.ConnectionCount > 0, "the last connection waits in TIME-WAIT");
        network.RunFor(s_msl * 2);
        Assert.Equal(0, client.Stack.Tcp.ConnectionCount);
        Assert.Equal(0, server.Stack.Tcp.ConnectionCount);
        output.WriteLine($"{Count} connections in {lastClosed} of virtual time, at most {largestTable} in a table (TIME-WAIT = 2 MSL = {s_msl * 2}); {after - before} bytes kept by the last {Count - WarmUp}");

        TcpStats clientStats = client.Stack.Tcp.Stats;
        TcpStats serverStats = server.Stack.Tcp.Stats;
        Assert.Equal(Count, clientStats.ActiveOpens);
        Assert.Equal(Count, serverStats.PassiveOpens);
        Assert.Equal(0, clientStats.EstablishedResets + serverStats.EstablishedResets);
        Assert.Equal(0, clientStats.ResetsSent + serverStats.ResetsSent);
        Assert.Equal(0, clientStats.CurrentEstablished + serverStats.CurrentEstablished);

        // TIME-WAIT lasts 2 MSL (100 ms) and a connection takes about 4 ms of virtual time here,
        // half of them waiting on each side: about a dozen in a table, never thousands.
        Assert.InRange(largestTable, 1, 30);
        Assert.True(after - before < 64 * 1024, $"{after - before} bytes kept by {Count - WarmUp} closed connections");

        // Connect, send five bytes, close. Even connections: the client closes first (its side
        // waits in TIME-WAIT); odd ones: the server does.
        void RunOne(int i)
        {
            TcpConnection c = client.Stack.Tcp.Connect(s_serverIp, 80, network.Now);
            Assert.True(network.RunUntil(() => listener.PendingCount > 0, Duration.FromSeconds(10)), $"connection {i}: handshake");
            TcpConnection s = listener.Accept()!;
            Assert.Equal(request.Length, c.Send(request));
            Assert.True(network.RunUntil(() => s.ReadableBytes == request.Length, Duration.FromSeconds(10)), $"connection {i}: request");
            Assert.Equal(request.Length, s.Receive(buffer));
            Assert.Equal(request, buffer[..request.Length]);

            bool serverFirst = i % 2 == 1;
            (TcpConnection first, TcpConnection second) = serverFirst ? (s, c) : (c, s);
            first.Close();
            Assert.True(network.RunUntil(() => second.IsEndOfStream, Duration.FromSeconds(10)), $"connection {i}: FIN");
            second.Close();
            Assert.True(network.RunUntil(() => second.State == TcpState.Closed && first.State == TcpState.TimeWait, Duration.FromSeconds(10)),
                $"connection {i}: close ended in {first.State} / {second.State}");
        }
    }

    private static StackOptions Options(string cidr, string mac, ulong seed) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
        Tcp = new TcpSettings { Msl = s_msl },
    };
}
