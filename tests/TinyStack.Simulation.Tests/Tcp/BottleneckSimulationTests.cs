using System.Diagnostics;
using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Time;
using TinyStack.Wire;
using Xunit.Abstractions;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// Issue 5's bottleneck bars, in virtual time: a 100 Mbit/s link with 10 ms of delay each way
/// (20 ms RTT) and a drop-tail queue of one bandwidth-delay product, send and receive buffers of
/// more than four BDPs so that congestion control, not a buffer, limits the flows. One bulk flow
/// keeps the link at least 90% busy; two flows of one algorithm share it with Jain's index at
/// least 0.95 over the second half of a 60 s run; CUBIC against NewReno, each gets at least 25%.
/// </summary>
public sealed class BottleneckSimulationTests(ITestOutputHelper output)
{
    private const long RateBitsPerSecond = 100_000_000;

    // Frame: 14 Ethernet + 20 IPv4 + 20 TCP + 12 timestamps + 1448 payload. Payload is what counts.
    private const int FrameBytes = 1514;
    private const double PayloadShare = 1448.0 / FrameBytes;

    private static readonly Duration s_oneWayDelay = Duration.FromMilliseconds(10);

    // BDP = 100 Mbit/s * 20 ms = 250,000 bytes, 165 full frames: the queue holds one BDP.
    private const int BdpBytes = (int)(RateBitsPerSecond / 8 * 20 / 1000);
    private const int QueueFrames = BdpBytes / FrameBytes;

    // Over four BDPs (4.2), so the window is never what stops the sender.
    private const int BufferBytes = 1 << 20;

    private static StackOptions Options(string cidr, string mac, ulong seed) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
        Tcp = new TcpSettings { SendBufferSize = BufferBytes, ReceiveBufferSize = BufferBytes },
    };

    /// <summary>Client (sender) and server (receiver) joined by the bottleneck; one connection per algorithm given.</summary>
    private static (VirtualNetwork Network, List<BulkFlow> Flows, NetworkStack Client) Setup(ulong seed, params string[] algorithms)
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
        StackNode server = network.AddStack(Options("10.0.0.2/24", "02:54:53:00:00:02", seed), aEnd);
        StackNode client = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", seed * 31), bottleneck);
        TcpListener listener = server.Stack.Tcp.Listen(5001, backlog: 8);
        List<BulkFlow> result = [];
        foreach (string algorithm in algorithms)
        {
            TcpConnection outbound = client.Stack.Tcp.Connect(Ipv4Address.Parse("10.0.0.2"), 5001, network.Now);
            outbound.CongestionControlFactory = CongestionControlAlgorithms.Get(algorithm);
            Assert.True(network.RunUntil(() => listener.PendingCount > 0, Duration.FromSeconds(10)), "handshake");
            result.Add(new BulkFlow(outbound, listener.Accept()!));
        }

        return (network, result, client.Stack);
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

    private static double Jain(long[] bytes)
    {
        double sum = bytes.Sum();
        double squares = bytes.Sum(b => (double)b * b);
        return sum * sum / (bytes.Length * squares);
    }

    private string Describe(TcpConnection sender) =>
        $"{sender.CongestionControl.Name}: cwnd {sender.Cwnd}, srtt {sender.Srtt}, retransmitted {sender.Retransmits}";

    private void Report(string line, NetworkStack client, Stopwatch clock)
    {
        TcpStats stats = client.Tcp.Stats;
        output.WriteLine($"{line}; RTOs {stats.RetransmitTimeouts}, TLPs {stats.TailLossProbes}, fast retransmits {stats.FastRetransmits}, SACK retransmits {stats.SackRetransmits}; {clock.Elapsed.TotalSeconds:F1} s wall clock");
    }

    [Theory]
    [InlineData("cubic")]
    [InlineData("newreno")]
    public void One_flow_keeps_the_bottleneck_at_least_90_percent_busy(string name)
    {
        Stopwatch clock = Stopwatch.StartNew();
        (VirtualNetwork network, List<BulkFlow> flows, NetworkStack client) = Setup(7, name);
        using (network)
        {
            // Steady state: skip the first 5 s (slow start, its overshoot and recovery), then measure 25 s.
            long[] bytes = Measure(network, flows, 5, 30);
            double utilisation = Utilisation(bytes[0], 25);
            Report($"one {name} flow, 100 Mbit/s, 20 ms RTT, one-BDP queue: {utilisation:P1} of the payload capacity from 5 s to 30 s; {Describe(flows[0].Sender)}", client, clock);
            Assert.True(utilisation >= 0.9, $"{name} used only {utilisation:P1} of the bottleneck");
            Assert.True(utilisation <= 1.001, $"{name} cannot deliver more than the link carries ({utilisation:P1})");
        }
    }

    [Theory]
    [InlineData("cubic")]
    [InlineData("newreno")]
    public void Two_flows_share_the_bottleneck_fairly(string name)
    {
        Stopwatch clock = Stopwatch.StartNew();
        (VirtualNetwork network, List<BulkFlow> flows, NetworkStack client) = Setup(11, name, name);
        using (network)
        {
            // The second half of a 60 s run.
            long[] bytes = Measure(network, flows, 30, 60);
            double jain = Jain(bytes);
            double utilisation = Utilisation(bytes.Sum(), 30);
            Report($"two {name} flows, 30 s to 60 s: {string.Join(", ", bytes.Select(b => $"{b * 8 / 30 / 1e6:F2} Mbit/s"))}; Jain {jain:F3}; together {utilisation:P1}", client, clock);
            Assert.True(jain >= 0.95, $"{name}: Jain's fairness index {jain:F3}");
            Assert.True(utilisation >= 0.9, $"{name}: together only {utilisation:P1} of the bottleneck");
        }
    }

    [Fact]
    public void Cubic_and_newreno_each_get_at_least_a_quarter()
    {
        Stopwatch clock = Stopwatch.StartNew();
        (VirtualNetwork network, List<BulkFlow> flows, NetworkStack client) = Setup(13, "cubic", "newreno");
        using (network)
        {
            long[] bytes = Measure(network, flows, 30, 60);
            double[] shares = [.. bytes.Select(b => Utilisation(b, 30))];
            Report($"cubic vs newreno, 30 s to 60 s: cubic {shares[0]:P1}, newreno {shares[1]:P1} of the payload capacity; Jain {Jain(bytes):F3}; {Describe(flows[0].Sender)}; {Describe(flows[1].Sender)}", client, clock);
            Assert.True(shares[0] >= 0.25, $"cubic got only {shares[0]:P1} of the bottleneck");
            Assert.True(shares[1] >= 0.25, $"newreno got only {shares[1]:P1} of the bottleneck");
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
