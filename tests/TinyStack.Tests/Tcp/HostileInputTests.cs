using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Bad input from the network never throws: random segments against every state are dropped or answered, and invariants hold.</summary>
public class HostileInputTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_segments_never_throw_and_keep_the_invariants(int seed)
    {
        var random = new Random(seed);
        var h = new TcpHarness(new TcpSettings { ReceiveBufferSize = 64 * 1024, ChallengeAckLimit = 1_000_000 });
        TcpConnection c = h.EstablishPassive(out _, new TcpOptions { Mss = 1460, SackPermitted = true, WindowScale = 7, Timestamps = new TcpTimestamps(10, 0) });
        c.Send(Bytes(50_000));
        h.Poll();
        TcpFlags[] interesting = [TcpFlags.Ack, TcpFlags.Ack | TcpFlags.Psh, TcpFlags.Syn, TcpFlags.Rst, TcpFlags.Fin | TcpFlags.Ack, TcpFlags.Syn | TcpFlags.Ack, TcpFlags.Rst | TcpFlags.Ack];
        for (int i = 0; i < 20_000; i++)
        {
            uint near(uint center) => center + (uint)random.Next(-70_000, 70_000);
            uint seq = random.Next(4) == 0 ? (uint)random.NextInt64() : near(c.RcvNxt.Value);
            uint ack = random.Next(4) == 0 ? (uint)random.NextInt64() : near(c.SndUna.Value);
            TcpFlags flags = random.Next(3) == 0 ? (TcpFlags)random.Next(256) : interesting[random.Next(interesting.Length)];
            TcpOptions options = RandomOptions(random, c);
            byte[] payload = new byte[random.Next(3) == 0 ? random.Next(0, 3000) : 0];
            random.NextBytes(payload);
            h.TheirPort = random.Next(20) == 0 ? (ushort)random.Next(1, 65536) : RemotePort;
            var header = new TcpHeader(h.TheirPort, LocalPort, new SeqNumber(seq), new SeqNumber(ack), flags, (ushort)random.Next(65536), options);
            byte[] bytes = Build(header, payload);
            if (random.Next(10) == 0)
            {
                // Mangle the options area, then fix the checksum so the parser sees it.
                for (int k = 20; k < header.Length; k++)
                {
                    bytes[k] = (byte)random.Next(256);
                }

                FixChecksum(bytes);
            }

            h.SendRaw(bytes);
            if (random.Next(50) == 0)
            {
                h.Advance(Duration.FromMilliseconds(random.Next(1, 3000)));
            }

            if (random.Next(20) == 0 && c.ReadableBytes > 0)
            {
                c.Receive(new byte[random.Next(1, 5000)]);
            }

            h.Clear();
            if (c.State != TcpState.Closed)
            {
                Assert.True(c.SndUna <= c.SndNxt, $"SND.UNA {c.SndUna} > SND.NXT {c.SndNxt}");
                Assert.True(c.ReadableBytes <= 64 * 1024 + (1 << 14));
            }
            else
            {
                // Start over with a fresh connection.
                h = new TcpHarness(new TcpSettings { ReceiveBufferSize = 64 * 1024, ChallengeAckLimit = 1_000_000 });
                c = h.EstablishPassive(out _, new TcpOptions { Mss = 1460, SackPermitted = true, WindowScale = 7, Timestamps = new TcpTimestamps(10, 0) });
                c.Send(Bytes(50_000));
                h.Poll();
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(5);
        var h = new TcpHarness();
        h.Layer.Listen(LocalPort);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4 && random.Next(2) == 0)
            {
                bytes[2] = 0;
                bytes[3] = (byte)LocalPort;
            }

            if (bytes.Length >= 20 && random.Next(2) == 0)
            {
                FixChecksum(bytes);
            }

            h.SendRaw(bytes);
            h.Clear();
        }

        Assert.True(h.Stats.DroppedTotal > 0);
    }

    private static TcpOptions RandomOptions(Random random, TcpConnection c)
    {
        var options = new TcpOptions();
        if (random.Next(2) == 0)
        {
            options = options with { Timestamps = new TcpTimestamps((uint)random.NextInt64(), (uint)random.NextInt64()) };
        }

        if (random.Next(3) == 0)
        {
            int count = random.Next(1, options.Timestamps.HasValue ? 4 : 5);
            var blocks = new SackBlock[count];
            for (int i = 0; i < count; i++)
            {
                uint left = random.Next(2) == 0 ? (uint)random.NextInt64() : c.SndUna.Value + (uint)random.Next(-5000, 60_000);
                blocks[i] = new SackBlock(new SeqNumber(left), new SeqNumber(left + (uint)random.Next(-100, 20_000)));
            }

            options = options.WithSackBlocks(blocks);
        }

        if (random.Next(10) == 0)
        {
            // SYN-style options instead of SACK blocks (both would not fit in 40 bytes).
            options = new TcpOptions { Mss = (ushort)random.Next(65536), WindowScale = (byte)random.Next(256), SackPermitted = true, Timestamps = options.Timestamps };
        }

        return options;
    }

    private static void FixChecksum(byte[] segment)
    {
        segment[16] = 0;
        segment[17] = 0;
        ushort checksum = Checksum.ComputeWithPseudoHeader(RemoteIp, LocalIp, IpProtocol.Tcp, segment);
        segment[16] = (byte)(checksum >> 8);
        segment[17] = (byte)checksum;
    }
}
