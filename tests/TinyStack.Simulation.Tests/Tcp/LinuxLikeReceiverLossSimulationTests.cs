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
/// The live lab's failure mode without the lab: 1% random loss in each direction (ACKs too) at a
/// 60 us RTT, with a receiver that thins its duplicate ACKs like Linux (<see cref="LinuxReceiverAckLink"/>).
/// Then the ACK that answers a fast retransmission often acknowledges the whole flight alone, and
/// when that one ACK is lost the sender, in fast recovery with cwnd used up, hears nothing more.
/// Before probes ran in recovery, each such loss cost a 200 ms retransmission timeout (3,000
/// RTTs here), and a lost retransmission after a timeout cost another 400 ms.
/// </summary>
public sealed class LinuxLikeReceiverLossSimulationTests(ITestOutputHelper output)
{
    private const long Size = 64L * 1024 * 1024;
    private const long TapRateBitsPerSecond = 1_200_000_000;

    [Theory]
    [InlineData("cubic", 1UL)]
    [InlineData("cubic", 2UL)]
    [InlineData("newreno", 1UL)]
    [InlineData("newreno", 2UL)]
    public void A_lost_ack_of_the_whole_flight_costs_a_probe_not_a_timeout(string name, ulong seed)
    {
        Stopwatch clock = Stopwatch.StartNew();
        (double lossFree, _, _) = Transfer(name, seed, dropRate: 0);
        (double lossy, long timeouts, string details) = Transfer(name, seed, dropRate: 0.01);
        double ratio = lossy / lossFree;
        output.WriteLine($"{name}, seed {seed}: 64 MiB at 60 us RTT to a Linux-like receiver, loss-free {lossFree / 1e6:F0} Mbit/s, "
            + $"1% loss each way {lossy / 1e6:F0} Mbit/s = {ratio:P1}; {details}; {clock.Elapsed.TotalSeconds:F1} s wall clock");
        Assert.True(ratio >= 0.6, $"{name} kept only {ratio:P1} of its loss-free throughput at 1% loss; {details}");
        Assert.True(timeouts == 0, $"{name}: {timeouts} retransmission timeouts; {details}");
    }

    /// <summary>Moves <see cref="Size"/> bytes from client to server; returns goodput in bit/s, the RTO count and a summary.</summary>
    private static (double BitsPerSecond, long Timeouts, string Details) Transfer(string name, ulong seed, double dropRate)
    {
        (MemoryLink aEnd, MemoryLink bEnd) = MemoryLink.CreatePair(capacity: 4096);
        FaultInjectingLink link = new(bEnd, new FaultOptions
        {
            DropRate = dropRate,
            Delay = Duration.FromMicroseconds(30),
            RateBitsPerSecond = TapRateBitsPerSecond,
            Seed = seed,
        });
        LinuxReceiverAckLink receiverLink = new(aEnd);
        using VirtualNetwork network = new();
        StackNode server = network.AddStack(Options("10.0.0.2/24", "02:54:53:00:00:02", seed, name), receiverLink);
        StackNode client = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", seed * 31, name), link);
        TcpListener listener = server.Stack.Tcp.Listen(5001);
        TcpConnection outbound = client.Stack.Tcp.Connect(Ipv4Address.Parse("10.0.0.2"), 5001, network.Now);
        Assert.True(network.RunUntil(() => listener.PendingCount > 0, Duration.FromSeconds(10)), "handshake");
        TcpConnection inbound = listener.Accept()!;

        HashingPump pump = new(outbound, inbound, Size, seed);
        Instant start = network.Now;
        bool done = network.RunUntil(() => { pump.Step(); return pump.Done; }, Duration.FromSeconds(600), Duration.FromMicroseconds(200));
        Assert.True(done, $"{name}: transfer stalled at {pump.Received}/{Size}");
        Assert.Equal(pump.SentHash, pump.ReceivedHash);

        double seconds = (network.Now - start).TotalSeconds;
        TcpStats stats = client.Stack.Tcp.Stats;
        Assert.True(dropRate == 0 || (link.Stats.Outbound.Dropped > 0 && link.Stats.Inbound.Dropped > 0), "the link must really have dropped frames both ways");
        Assert.True(dropRate == 0 || receiverLink.Compressed > 0, "the receiver must really have compressed duplicate ACKs");
        string details = $"dropped {link.Stats.Outbound.Dropped} data and {link.Stats.Inbound.Dropped} ACK frames, {receiverLink.Compressed} duplicate ACKs compressed, {receiverLink.WindowUpdatesSuppressed} window updates suppressed, "
            + $"retransmitted {outbound.Retransmits}, RTOs {stats.RetransmitTimeouts}, probes {stats.TailLossProbes}, recoveries {stats.FastRetransmits}";
        return (Size * 8 / seconds, stats.RetransmitTimeouts, details);
    }

    private static StackOptions Options(string cidr, string mac, ulong seed, string algorithm) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
        Tcp = new TcpSettings { CongestionControl = CongestionControlAlgorithms.Get(algorithm) },
    };
}
