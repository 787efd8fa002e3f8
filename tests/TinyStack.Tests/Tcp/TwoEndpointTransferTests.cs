using Xunit.Abstractions;
using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp;

/// <summary>Two TCP layers wired together through a seeded faulty link, transferring megabytes byte-exact in virtual time.</summary>
public class TwoEndpointTransferTests(ITestOutputHelper output)
{
    private const ushort Port = 8080;

    [Theory]
    [InlineData(1UL, 0.0, 0.0, 0.0)]
    [InlineData(2UL, 0.02, 0.0, 0.0)]
    [InlineData(3UL, 0.05, 0.01, 0.05)]
    [InlineData(4UL, 0.01, 0.02, 0.2)]
    public void Transfers_a_few_megabytes_byte_exact(ulong seed, double drop, double duplicate, double reorder)
    {
        var network = new SimulatedNetwork(seed: seed) { DropRate = drop, DuplicateRate = duplicate, ReorderRate = reorder };
        Transfer(network, 3 * 1024 * 1024, out TcpConnection client, out TcpConnection server);
        Assert.Equal(TcpError.None, client.Error);
        Assert.Equal(TcpError.None, server.Error);
        if (drop > 0)
        {
            Assert.True(network.Dropped > 0);
            Assert.True(network.A.Layer.Stats.SegmentsRetransmitted > 0);
        }
    }

    [Theory]
    [InlineData(5UL, false, false)]
    [InlineData(6UL, true, false)]
    [InlineData(7UL, false, true)]
    public void Transfers_without_sack_or_timestamps(ulong seed, bool sack, bool timestamps)
    {
        var settings = new TcpSettings { Sack = sack, Timestamps = timestamps };
        var network = new SimulatedNetwork(settings, seed) { DropRate = 0.03, ReorderRate = 0.05 };
        Transfer(network, 1024 * 1024, out _, out _);
    }

    [Fact]
    public void Survives_a_long_outage_through_rto_backoff()
    {
        var network = new SimulatedNetwork(seed: 9);
        bool outageDone = false;
        Transfer(network, 1024 * 1024, out _, out _, progress =>
        {
            if (!outageDone && progress > 300_000)
            {
                network.Down = true;
                if (network.Now > Instant.FromMilliseconds(1000) + Duration.FromSeconds(10))
                {
                    network.Down = false;
                    outageDone = true;
                }
            }
        });
        Assert.True(network.A.Layer.Stats.RetransmitTimeouts >= 3);
    }

    [Theory]
    [InlineData(21UL, 0.0)]
    [InlineData(22UL, 0.03)]
    public void Both_directions_at_once_deliver_byte_exact(ulong seed, double drop)
    {
        var network = new SimulatedNetwork(seed: seed) { DropRate = drop, ReorderRate = 0.02 };
        const int Size = 1024 * 1024;
        byte[] fromA = new byte[Size];
        byte[] fromB = new byte[Size];
        new Random(1).NextBytes(fromA);
        new Random(2).NextBytes(fromB);
        byte[] atA = new byte[Size];
        byte[] atB = new byte[Size];
        TcpListener listener = network.B.Layer.Listen(Port);
        TcpConnection a = network.A.Layer.Connect(network.B.Address, Port, network.Now);
        TcpConnection? b = null;
        int sentA = 0, sentB = 0, gotA = 0, gotB = 0;
        byte[] scratch = new byte[32768];
        bool ok = network.Run(
            () => gotA == Size && gotB == Size && a.IsEndOfStream && b!.IsEndOfStream,
            network.Now + Duration.FromSeconds(300),
            () =>
            {
                b ??= listener.Accept();
                if (b is null || a.State == TcpState.SynSent)
                {
                    return;
                }

                Pump(a, fromA, ref sentA, atA, ref gotA, scratch);
                Pump(b, fromB, ref sentB, atB, ref gotB, scratch);
            });

        Assert.True(ok, $"A sent {sentA} got {gotA}; B sent {sentB} got {gotB}; {a.State}/{b?.State}");
        Assert.True(fromA.AsSpan().SequenceEqual(atB));
        Assert.True(fromB.AsSpan().SequenceEqual(atA));

        // Both FINs crossed: each side ends in TIME-WAIT or CLOSED, without error.
        network.Run(() => a.State is TcpState.TimeWait or TcpState.Closed && b!.State is TcpState.TimeWait or TcpState.Closed, network.Now + Duration.FromSeconds(60));
        Assert.Equal(TcpError.None, a.Error);
        Assert.Equal(TcpError.None, b!.Error);

        static void Pump(TcpConnection c, byte[] source, ref int sent, byte[] sink, ref int got, byte[] scratch)
        {
            if (sent < source.Length && c.CanSend)
            {
                sent += c.Send(source.AsSpan(sent));
                if (sent == source.Length)
                {
                    c.ShutdownWrite();
                }
            }

            int n;
            while ((n = c.Receive(scratch)) > 0)
            {
                scratch.AsSpan(0, n).CopyTo(sink.AsSpan(got));
                got += n;
            }
        }
    }

    private void Transfer(SimulatedNetwork network, int size, out TcpConnection client, out TcpConnection server, Action<long>? onProgress = null)
    {
        byte[] data = new byte[size];
        new Random(size).NextBytes(data);
        byte[] received = new byte[size];
        TcpListener listener = network.B.Layer.Listen(Port);
        TcpConnection c = network.A.Layer.Connect(network.B.Address, Port, network.Now);
        TcpConnection? s = null;
        int sent = 0;
        int got = 0;
        bool clientClosed = false;
        byte[] scratch = new byte[65536];

        bool ok = network.Run(
            () => s is not null && got == size && s.IsEndOfStream && c.State is TcpState.TimeWait or TcpState.Closed && s.State == TcpState.Closed,
            network.Now + Duration.FromSeconds(600),
            () =>
            {
                s ??= listener.Accept();
                if (c.State == TcpState.Established && sent < size)
                {
                    sent += c.Send(data.AsSpan(sent));
                }

                if (sent == size && !clientClosed && c.State == TcpState.Established)
                {
                    c.ShutdownWrite();
                    clientClosed = true;
                }

                if (s is not null)
                {
                    int n;
                    while ((n = s.Receive(scratch)) > 0)
                    {
                        Assert.True(got + n <= size, "received more bytes than were sent");
                        scratch.AsSpan(0, n).CopyTo(received.AsSpan(got));
                        got += n;
                    }

                    if (s.IsEndOfStream && s.State == TcpState.CloseWait)
                    {
                        s.Close();
                    }
                }

                onProgress?.Invoke(got);
            });

        Assert.True(ok, $"transfer did not finish: sent {sent}, received {got} of {size}; client {c.State}, server {s?.State}");
        Assert.True(data.AsSpan().SequenceEqual(received), "received bytes differ from the sent ones");
        client = c;
        server = s!;
        TcpStats stats = network.A.Layer.Stats;
        output.WriteLine($"{size} bytes in {(network.Now - Instant.FromMilliseconds(1000)).TotalSeconds:0.###} s virtual; "
            + $"segments {stats.SegmentsSent}, retransmitted {stats.SegmentsRetransmitted}, RTOs {stats.RetransmitTimeouts}, "
            + $"fast {stats.FastRetransmits}, sack {stats.SackRetransmits}; link dropped {network.Dropped}, duplicated {network.Duplicated}; "
            + $"receiver dup {network.B.Layer.Stats.Dropped(DropReason.TcpDuplicate)}, ofo {network.B.Layer.Stats.OutOfOrderQueued}, dsack {network.B.Layer.Stats.DSacksSent}");
    }
}
