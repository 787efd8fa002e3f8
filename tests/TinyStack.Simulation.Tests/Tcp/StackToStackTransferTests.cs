using System.Security.Cryptography;
using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// Two complete TinyStacks (Ethernet, ARP, IPv4, TCP) on one simulated wire: one listens, the
/// other connects, and bytes cross in both directions through a seeded faulty link.
/// </summary>
public sealed class StackToStackTransferTests
{
    [Theory]
    [InlineData(11UL, 0.0)]
    [InlineData(12UL, 0.01)]
    [InlineData(13UL, 0.05)]
    public void Bytes_cross_both_ways_exactly_once_through_a_faulty_link(ulong seed, double faultRate)
    {
        const int Size = 2 * 1024 * 1024;
        (MemoryLink aEnd, MemoryLink bEnd) = MemoryLink.CreatePair(capacity: 4096);
        FaultInjectingLink faulty = new(bEnd, new FaultOptions
        {
            DropRate = faultRate,
            ReorderRate = faultRate,
            DuplicateRate = faultRate / 5,
            CorruptRate = faultRate / 10,
            Delay = Duration.FromMicroseconds(100),
            Seed = seed,
        });
        using VirtualNetwork network = new();
        StackNode server = network.AddStack(Options("10.0.0.2/24", "02:54:53:00:00:02", seed), aEnd);
        StackNode client = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", seed + 100), faulty);

        TcpListener listener = server.Stack.Tcp.Listen(5001);
        TcpConnection outbound = client.Stack.Tcp.Connect(Ipv4Address.Parse("10.0.0.2"), 5001, network.Now);
        Assert.True(network.RunUntil(() => listener.PendingCount > 0, Duration.FromSeconds(30)), "handshake");
        TcpConnection inbound = listener.Accept()!;

        byte[] upload = RandomBytes(Size, seed);
        byte[] download = RandomBytes(Size, seed + 1);
        Pump up = new(outbound, upload, inbound);
        Pump down = new(inbound, download, outbound);
        bool done = network.RunUntil(() => { up.Step(); down.Step(); return up.Done && down.Done; }, Duration.FromSeconds(600), Duration.FromMilliseconds(1));

        Assert.True(done, $"transfer stalled: up {up.Received}/{Size}, down {down.Received}/{Size}, client {outbound}, server {inbound}");
        Assert.Equal(SHA256.HashData(upload), SHA256.HashData(up.ReceivedBytes));
        Assert.Equal(SHA256.HashData(download), SHA256.HashData(down.ReceivedBytes));
    }

    private static StackOptions Options(string cidr, string mac, ulong seed) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
    };

    private static byte[] RandomBytes(int size, ulong seed)
    {
        byte[] data = new byte[size];
        new Random((int)seed).NextBytes(data);
        return data;
    }

    /// <summary>Feeds one direction as fast as the sender's buffer takes it and drains the receiver.</summary>
    private sealed class Pump(TcpConnection sender, byte[] data, TcpConnection receiver)
    {
        private readonly MemoryStream _received = new();
        private readonly byte[] _scratch = new byte[64 * 1024];
        private int _sent;

        public long Received => _received.Length;

        public byte[] ReceivedBytes => _received.ToArray();

        public bool Done => _received.Length == data.Length;

        public void Step()
        {
            if (_sent < data.Length && sender.CanSend)
            {
                _sent += sender.Send(data.AsSpan(_sent));
            }

            int n;
            while ((n = receiver.Receive(_scratch)) > 0)
            {
                _received.Write(_scratch, 0, n);
            }
        }
    }
}
