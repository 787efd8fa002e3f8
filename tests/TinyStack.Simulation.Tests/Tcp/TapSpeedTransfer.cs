using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// One bulk transfer at TAP speed: client to server through a 1.2 Gbit/s link (about what the TAP
/// device moves, docs/http.md) with 30 us of delay each way (a 60 us RTT) and seeded random loss
/// in both directions; the bytes are checked by hash. Shared by the random-loss simulations.
/// </summary>
internal static class TapSpeedTransfer
{
    public const long RateBitsPerSecond = 1_200_000_000;

    /// <summary>What one transfer measured, and the link and sender to describe it with.</summary>
    public readonly record struct Result(double BitsPerSecond, TcpStats Stats, TcpConnection Sender, FaultInjectingLink Link)
    {
        public long Timeouts => Stats.RetransmitTimeouts;
    }

    /// <param name="receiverLink">Wraps the server's end of the link (e.g. to make it ACK like Linux); none when null.</param>
    public static Result Run(string algorithm, ulong seed, long size, double dropRate, bool rackTlp = true, Func<ILinkDevice, ILinkDevice>? receiverLink = null)
    {
        (MemoryLink aEnd, MemoryLink bEnd) = MemoryLink.CreatePair(capacity: 4096);
        FaultInjectingLink link = new(bEnd, new FaultOptions
        {
            DropRate = dropRate,
            Delay = Duration.FromMicroseconds(30),
            RateBitsPerSecond = RateBitsPerSecond,
            Seed = seed,
        });
        using VirtualNetwork network = new();
        StackNode server = network.AddStack(Options("10.0.0.2/24", "02:54:53:00:00:02", seed, algorithm, rackTlp), receiverLink?.Invoke(aEnd) ?? aEnd);
        StackNode client = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", seed * 31, algorithm, rackTlp), link);
        TcpListener listener = server.Stack.Tcp.Listen(5001);
        TcpConnection outbound = client.Stack.Tcp.Connect(Ipv4Address.Parse("10.0.0.2"), 5001, network.Now);
        Assert.True(network.RunUntil(() => listener.PendingCount > 0, Duration.FromSeconds(10)), "handshake");
        TcpConnection inbound = listener.Accept()!;

        HashingPump pump = new(outbound, inbound, size, seed);
        Instant start = network.Now;
        bool done = network.RunUntil(() => { pump.Step(); return pump.Done; }, Duration.FromSeconds(600), Duration.FromMicroseconds(200));
        Assert.True(done, $"{algorithm}: transfer stalled at {pump.Received}/{size}");
        Assert.Equal(pump.SentHash, pump.ReceivedHash);

        double seconds = (network.Now - start).TotalSeconds;
        return new Result(size * 8 / seconds, client.Stack.Tcp.Stats, outbound, link);
    }

    private static StackOptions Options(string cidr, string mac, ulong seed, string algorithm, bool rackTlp) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
        Tcp = new TcpSettings { CongestionControl = CongestionControlAlgorithms.Get(algorithm), RackTlp = rackTlp },
    };
}
