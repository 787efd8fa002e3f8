using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Simulation.Tests.Icmp;

/// <summary>
/// A peer pings TinyStack with large, fragmented echo requests over a seeded link that drops,
/// reorders, duplicates and corrupts frames. Whatever arrives intact must be answered exactly;
/// nothing corrupted may ever be echoed back as if it were good.
/// </summary>
public sealed class PingUnderFaultsSimulationTests
{
    private static readonly MacAddress s_peerMac = MacAddress.Parse("02:00:00:00:00:01");
    private static readonly MacAddress s_stackMac = MacAddress.Parse("02:54:53:00:00:02");
    private static readonly Ipv4Address s_peerIp = Ipv4Address.Parse("10.0.0.1");
    private static readonly Ipv4Address s_stackIp = Ipv4Address.Parse("10.0.0.2");

    [Theory]
    [InlineData(1UL, 4000, 0.02, 20)]
    [InlineData(2UL, 4000, 0.02, 20)]
    [InlineData(3UL, 20000, 0.01, 10)]
    [InlineData(4UL, 65000, 0.001, 15)]
    [InlineData(5UL, 1400, 0.02, 30)]
    public void Fragmented_pings_through_a_faulty_link_are_answered_exactly_or_not_at_all(ulong seed, int size, double faultRate, int floor)
    {
        // Losses compound over the fragments of a datagram in both directions: a 45-fragment
        // ping survives 1% faults only ~40% of the time, so the floor is set per case.
        (MemoryLink peerEnd, MemoryLink stackEnd) = MemoryLink.CreatePair();
        FaultInjectingLink faulty = new(stackEnd, new FaultOptions
        {
            DropRate = faultRate,
            ReorderRate = 0.05,
            DuplicateRate = 0.02,
            CorruptRate = faultRate / 2,
            Delay = Duration.FromMicroseconds(30),
            Seed = seed,
        });
        using VirtualNetwork network = new();
        RawNode peer = network.AddRaw(peerEnd);
        peer.ArpIdentity = (s_peerIp, s_peerMac);
        StackNode stack = network.AddStack(
            new StackOptions { Address = Ipv4Cidr.Parse("10.0.0.2/24"), Mac = s_stackMac, Seed = seed, ReassemblyTimeout = Duration.FromSeconds(1) },
            faulty);

        Random random = new((int)seed);
        const int Pings = 40;
        Dictionary<ushort, byte[]> sent = [];
        for (ushort seq = 1; seq <= Pings; seq++)
        {
            byte[] payload = new byte[size];
            random.NextBytes(payload);
            sent[seq] = payload;
            foreach (byte[] frame in Frames.EchoRequest(s_peerMac, s_stackMac, s_peerIp, s_stackIp, 0x77, seq, payload, (ushort)(1000 + seq)))
            {
                peer.Send(frame, network.Now);
            }

            network.RunFor(Duration.FromMilliseconds(20));
        }

        network.RunFor(Duration.FromSeconds(3));

        int intact = 0;
        foreach ((Ipv4Address source, _, byte[] message) in Reassembly.Datagrams(peer.Received.Select(r => r.Frame)))
        {
            Assert.Equal(s_stackIp, source);
            if (!IcmpPacket.TryCreate(message, out IcmpPacket icmp) || !icmp.IsChecksumValid)
            {
                continue; // corrupted on the way back: the peer's kernel would drop it too
            }

            if (icmp.Type != IcmpType.EchoReply)
            {
                continue; // e.g. time exceeded for a datagram whose fragments were lost
            }

            Assert.Equal(0x77, icmp.EchoIdentifier);
            Assert.True(sent.ContainsKey(icmp.EchoSequence));
            Assert.Equal(sent[icmp.EchoSequence], icmp.Data.ToArray());
            intact++;
        }

        Assert.InRange(intact, floor, Pings);

        // Reassembly must not hold memory after its timeout has passed.
        Assert.Equal(0, stack.Stack.Interface.Reassembler.ActiveCount);
        Assert.Equal(0, stack.Stack.Interface.Reassembler.MemoryUsed);
    }
}
