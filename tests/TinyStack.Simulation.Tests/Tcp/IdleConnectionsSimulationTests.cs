using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;
using Xunit.Abstractions;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// Cost grows with work, not with idle state (ARCHITECTURE.md property 7): ten thousand
/// established connections between two stacks hold no buffers, arm no timers, send nothing while
/// idle, and cost a few kilobytes each.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class IdleConnectionsSimulationTests(ITestOutputHelper output)
{
    private const int Count = 10_000;
    private const int Batch = 250;

    // Both ends of a connection together; 10,000 pairs stay far below 200 MB.
    private const int MaxBytesPerConnectionPair = 4096;

    private static readonly Ipv4Address s_serverIp = Ipv4Address.Parse("10.0.0.2");

    [Fact]
    public void Ten_thousand_idle_connections_cost_a_few_kilobytes_each_and_no_timers()
    {
        (MemoryLink aEnd, MemoryLink bEnd) = MemoryLink.CreatePair(capacity: 4096);
        using VirtualNetwork network = new(recordFrames: 1024);
        network.CaptureOnFailure("idle-connections", () =>
        {
            StackNode server = network.AddStack(Options("10.0.0.2/24", "02:54:53:00:00:02", 31), aEnd);
            StackNode client = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", 32), bEnd);
            TcpListener listener = server.Stack.Tcp.Listen(80, backlog: Batch);
            List<TcpConnection> opened = new(Count + 1);
            List<TcpConnection> accepted = new(Count + 1);

            // One connection first, so that ARP, the code paths and the pools are warm before
            // the measurement starts.
            Open(network, client, listener, opened, accepted, 1);
            long before = GC.GetTotalMemory(forceFullCollection: true);
            while (opened.Count < Count + 1)
            {
                Open(network, client, listener, opened, accepted, Math.Min(Batch, Count + 1 - opened.Count));
            }

            // Let delayed ACKs and any other timer run out.
            network.RunFor(Duration.FromSeconds(1));
            long after = GC.GetTotalMemory(forceFullCollection: true);
            double perPair = (after - before) / (double)Count;
            output.WriteLine($"{Count} idle connection pairs: {(after - before) / (1024.0 * 1024.0):0.0} MiB, {perPair:0} bytes per pair (both ends)");

            Assert.Equal(Count + 1, client.Stack.Tcp.ConnectionCount);
            Assert.Equal(Count + 1, server.Stack.Tcp.ConnectionCount);
            foreach (TcpConnection c in opened.Concat(accepted))
            {
                Assert.Equal(TcpState.Established, c.State);
                Assert.Equal(0, c.SendBufferCapacity);
                Assert.Equal(0, c.ReceiveBufferCapacity);
            }

            Assert.True(perPair < MaxBytesPerConnectionPair, $"{perPair:0} bytes per idle connection pair ({(after - before) / (1024 * 1024)} MiB in all)");

            // Idle means idle: no TCP timer is armed, and an hour passes without a segment.
            Assert.Equal(Instant.MaxValue, client.Stack.Tcp.NextDeadline);
            Assert.Equal(Instant.MaxValue, server.Stack.Tcp.NextDeadline);
            long sentBefore = client.Stack.Tcp.Stats.SegmentsSent + server.Stack.Tcp.Stats.SegmentsSent;
            network.RunFor(Duration.FromSeconds(3600));
            Assert.Equal(sentBefore, client.Stack.Tcp.Stats.SegmentsSent + server.Stack.Tcp.Stats.SegmentsSent);
            Assert.All(opened, c => Assert.Equal(TcpState.Established, c.State));
            GC.KeepAlive(accepted);
        });
    }

    private static void Open(VirtualNetwork network, StackNode client, TcpListener listener, List<TcpConnection> opened, List<TcpConnection> accepted, int count)
    {
        for (int i = 0; i < count; i++)
        {
            opened.Add(client.Stack.Tcp.Connect(s_serverIp, 80, network.Now));
        }

        bool done = network.RunUntil(
            () =>
            {
                while (listener.Accept() is TcpConnection c)
                {
                    accepted.Add(c);
                }

                return accepted.Count == opened.Count;
            },
            Duration.FromSeconds(30));
        Assert.True(done, $"{accepted.Count} of {opened.Count} connections accepted");
    }

    private static StackOptions Options(string cidr, string mac, ulong seed) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
    };
}
