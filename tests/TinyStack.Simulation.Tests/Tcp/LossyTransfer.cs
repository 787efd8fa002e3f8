using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// Issue 4's simulation bar: two TinyStacks move 20 MiB each way at once through a link that
/// drops 5%, reorders 5%, duplicates 1% and corrupts 0.5% of frames, byte-exact, for 20 seeds,
/// with the TCP invariants checked after every step of the simulation. The seeds are split
/// over two test classes so that xunit runs them on two cores; a failing seed leaves its last
/// frames in out/sim-failures.
/// </summary>
internal static class LossyTransfer
{
    private const int Size = 20 * 1024 * 1024;

    // Enough frames to see the last few round trips of a failing run.
    private const int RecordedFrames = 4096;

    public static TheoryData<ulong> Seeds(int first, int count) => [.. Enumerable.Range(first, count).Select(i => (ulong)i)];

    public static void Run(ulong seed)
    {
        (MemoryLink aEnd, MemoryLink bEnd) = MemoryLink.CreatePair(capacity: 4096);
        FaultInjectingLink faulty = new(bEnd, new FaultOptions
        {
            DropRate = 0.05,
            ReorderRate = 0.05,
            DuplicateRate = 0.01,
            CorruptRate = 0.005,
            Delay = Duration.FromMicroseconds(50),
            Seed = seed,
        });
        using VirtualNetwork network = new(RecordedFrames);
        network.CaptureOnFailure($"lossy-transfer-{seed}", () => Transfer(network, faulty, aEnd, seed));
    }

    private static void Transfer(VirtualNetwork network, FaultInjectingLink faulty, MemoryLink aEnd, ulong seed)
    {
        StackOptions serverOptions = Options("10.0.0.2/24", "02:54:53:00:00:02", seed);
        StackNode server = network.AddStack(serverOptions, aEnd);
        StackNode client = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", seed * 7919), faulty);

        TcpListener listener = server.Stack.Tcp.Listen(5001);
        TcpConnection outbound = client.Stack.Tcp.Connect(Ipv4Address.Parse("10.0.0.2"), 5001, network.Now);
        Assert.True(network.RunUntil(() => listener.PendingCount > 0, Duration.FromSeconds(60)), "handshake");
        TcpConnection inbound = listener.Accept()!;

        int receiveLimit = serverOptions.Tcp.ReceiveBufferSize;
        network.AfterEachStep = () =>
        {
            TcpInvariants.Check(outbound, receiveLimit);
            TcpInvariants.Check(inbound, receiveLimit);
            TcpInvariants.CheckDirection(outbound, inbound);
            TcpInvariants.CheckDirection(inbound, outbound);
        };

        HashingPump up = new(outbound, inbound, Size, seed);
        HashingPump down = new(inbound, outbound, Size, seed + 1_000_000);
        bool done = network.RunUntil(() => { up.Step(); down.Step(); return up.Done && down.Done; }, Duration.FromSeconds(3600), Duration.FromMilliseconds(1));

        Assert.True(done, $"transfer stalled at {network.Now}: up {up.Received}/{Size}, down {down.Received}/{Size}; client {outbound}, server {inbound}");
        Assert.Equal(up.SentHash, up.ReceivedHash);
        Assert.Equal(down.SentHash, down.ReceivedHash);
        Assert.True(faulty.Stats.Inbound.Dropped + faulty.Stats.Outbound.Dropped > 0, "the link must really have dropped frames");
    }

    private static StackOptions Options(string cidr, string mac, ulong seed) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
    };
}
