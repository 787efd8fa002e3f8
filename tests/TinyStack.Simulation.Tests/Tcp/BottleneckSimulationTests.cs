using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Time;
using TinyStack.Wire;
using Xunit.Abstractions;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// Congestion control against a bottleneck: a 20 Mbit/s link with 10 ms of delay each way and a
/// drop-tail queue of about one bandwidth-delay product, in virtual time. One bulk flow must keep
/// the link at least 90% busy; two flows must share it fairly (Jain's index at least 0.9).
/// </summary>
public sealed class BottleneckSimulationTests(ITestOutputHelper output)
{
    private const long RateBitsPerSecond = 20_000_000;

    // Frame: 14 Ethernet + 20 IPv4 + 20 TCP + 12 timestamps + 1448 payload. Payload is what counts.
    private const double PayloadShare = 1448.0 / 1514.0;

    private static readonly Duration s_oneWayDelay = Duration.FromMilliseconds(10);

    // BDP = 20 Mbit/s * 20 ms = 50 KB, about 33 full frames.
    private const int QueueFrames = 40;

    private static StackOptions Options(string cidr, string mac, ulong seed, Func<int, ICongestionControl> algorithm) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
        Tcp = new TcpSettings { CongestionControl = algorithm, SendBufferSize = 1 << 20, ReceiveBufferSize = 1 << 20 },
    };

    /// <summary>Client (sender) and server (receiver) joined by the bottleneck; <paramref name="flows"/> connections open.</summary>
    private static (VirtualNetwork Network, List<BulkFlow> Flows) Setup(Func<int, ICongestionControl> algorithm, int flows, ulong seed)
    {
        (MemoryLink aEnd, MemoryLink bEnd) = MemoryLink.CreatePair(capacity: 4096);
        FaultInjectingLink bottleneck = new(bEnd, new FaultOptions
        {
            RateBitsPerSecond = RateBitsPerSecond,
            QueueLimitFrames = QueueFrames,
            Delay = s_oneWayDelay,
            Seed = seed,
        });
        VirtualNetwork network = new();
        StackNode server = network.AddStack(Options("10.0.0.2/24", "02:54:53:00:00:02", seed, algorithm), aEnd);
        StackNode client = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", seed * 31, algorithm), bottleneck);
        TcpListener listener = server.Stack.Tcp.Listen(5001, backlog: 8);
        List<BulkFlow> result = [];
        for (int i = 0; i < flows; i++)
        {
            TcpConnection outbound = client.Stack.Tcp.Connect(Ipv4Address.Parse("10.0.0.2"), 5001, network.Now);
            Assert.True(network.RunUntil(() => listener.PendingCount > 0, Duration.FromSeconds(10)), "handshake");
            result.Add(new BulkFlow(outbound, listener.Accept()!));
        }

        return (network, result);
    }

    /// <summary>Payload bytes each flow delivered between <paramref name="from"/> and <paramref name="until"/> (seconds from now).</summary>
    private static long[] Measure(VirtualNetwork network, List<BulkFlow> flows, double from, double until)
    {
        Instant start = network.Now;
        void Step()
        {
            foreach (BulkFlow flow in flows)
            {
                flow.Step();
            }
        }

        network.RunUntil(() => { Step(); return network.Now >= start + Duration.FromMicroseconds((long)(from * 1e6)); }, Duration.FromSeconds(600));
        long[] before = [.. flows.Select(f => f.Received)];
        network.RunUntil(() => { Step(); return network.Now >= start + Duration.FromMicroseconds((long)(until * 1e6)); }, Duration.FromSeconds(600));
        return [.. flows.Select((f, i) => f.Received - before[i])];
    }

    private static double Utilisation(long bytes, double seconds) => bytes * 8 / seconds / (RateBitsPerSecond * PayloadShare);

    [Theory]
    [InlineData("cubic")]
    [InlineData("newreno")]
    public void One_flow_keeps_the_bottleneck_at_least_90_percent_busy(string name)
    {
        (VirtualNetwork network, List<BulkFlow> flows) = Setup(CongestionControlAlgorithms.Get(name), 1, 7);
        using (network)
        {
            // Skip the first 5 s (slow start and its overshoot), then measure 25 s.
            long[] bytes = Measure(network, flows, 5, 30);
            double utilisation = Utilisation(bytes[0], 25);
            TcpConnection sender = flows[0].Sender;
            output.WriteLine($"{name}: {utilisation:P1} of the payload capacity; {network.Now}; cwnd {sender.Cwnd}, srtt {sender.Srtt}, retransmitted {sender.Retransmits}");
            Assert.True(utilisation >= 0.9, $"{name} used only {utilisation:P1} of the bottleneck");
            Assert.True(utilisation <= 1.001, $"{name} cannot deliver more than the link carries ({utilisation:P1})");
        }
    }

    [Theory]
    [InlineData("cubic")]
    [InlineData("newreno")]
    public void Two_flows_share_the_bottleneck_fairly(string name)
    {
        (VirtualNetwork network, List<BulkFlow> flows) = Setup(CongestionControlAlgorithms.Get(name), 2, 11);
        using (network)
        {
            long[] bytes = Measure(network, flows, 10, 60);
            double sum = bytes.Sum();
            double squares = bytes.Sum(b => (double)b * b);
            double jain = sum * sum / (flows.Count * squares);
            double utilisation = Utilisation(bytes.Sum(), 50);
            output.WriteLine($"{name}: flows {string.Join(", ", bytes.Select(b => $"{b * 8 / 50 / 1e6:F2} Mbit/s"))}; Jain {jain:F3}; together {utilisation:P1}");
            Assert.True(jain >= 0.9, $"{name}: Jain's fairness index {jain:F3}");
            Assert.True(utilisation >= 0.9, $"{name}: together only {utilisation:P1} of the bottleneck");
        }
    }

    /// <summary>A sender that always has data and a receiver that reads everything at once.</summary>
    private sealed class BulkFlow(TcpConnection sender, TcpConnection receiver)
    {
        private static readonly byte[] s_data = new byte[64 * 1024];
        private readonly byte[] _scratch = new byte[64 * 1024];

        public TcpConnection Sender => sender;

        public long Received { get; private set; }

        public void Step()
        {
            if (sender.CanSend)
            {
                while (sender.Send(s_data) > 0)
                {
                }
            }

            int n;
            while ((n = receiver.Receive(_scratch)) > 0)
            {
                Received += n;
            }
        }
    }
}
