using System.Buffers.Binary;
using CsCheck;
using TinyStack.Tests.Wire;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

/// <summary>Random and mutated frames never make the stack throw, and never break its limits.</summary>
public class FuzzTests
{
    private static readonly ushort[] s_etherTypes = [EtherType.Ipv4, EtherType.Ipv4, EtherType.Ipv4, EtherType.Arp, EtherType.Vlan, EtherType.Ipv6];

    [Fact]
    public void Random_frames_never_throw()
    {
        Gen<byte[]> frame = Gen.Select(Gen.Int[0, s_etherTypes.Length - 1], Gen.Byte.Array[0, 1600], Gen.Int, (type, body, seed) =>
            Repair(Ethernet(OurMac, PeerMac, s_etherTypes[type], body), new Random(seed)));
        Gen<byte[]> anything = Gen.Byte.Array[0, 100];

        Gen.Select(frame.Array[1, 40], anything.Array[0, 5]).Sample((frames, junk) =>
        {
            var harness = new StackHarness(StackHarness.Defaults(gratuitousArp: true));
            harness.Stack.Interface.Register(IpProtocol.Udp, new RecordingProtocol());
            foreach (byte[] f in frames.Concat(junk))
            {
                harness.Receive(f);
                harness.Advance(Duration.FromMilliseconds(700));
            }

            harness.Advance(Duration.FromSeconds(120));
            CheckInvariants(harness);
        }, iter: 1500);
    }

    [Fact]
    public void Mutated_valid_frames_never_throw_and_stay_within_limits()
    {
        var random = new Random(20261124);
        List<byte[]> corpus = Corpus();
        var harness = new StackHarness(new StackOptions
        {
            Seed = 7,
            SendGratuitousArp = true,
            ArpCacheCapacity = 8,
            ArpPendingQueueLength = 4,
            ReassemblyMaxDatagrams = 4,
            ReassemblyMemoryLimit = 64 * 1024,
        });
        harness.Stack.Interface.Register(IpProtocol.Udp, new RecordingProtocol());

        for (int i = 0; i < 30_000; i++)
        {
            byte[] frame = Mutate(corpus[random.Next(corpus.Count)], random);
            harness.Receive(frame);
            if (random.Next(8) == 0)
            {
                harness.SendFromStack(new Ipv4Address(10, 0, 0, (byte)random.Next(256)), IpProtocol.Udp, Pattern(random.Next(3000)));
            }

            if (random.Next(4) == 0)
            {
                harness.Advance(Duration.FromMilliseconds(random.Next(2000)));
            }

            CheckInvariants(harness);
            harness.Sink.Frames.Clear();
        }

        Assert.True(harness.Stats[StatCounter.IcmpEchoRepliesSent] > 0, "the fuzzer never got deep enough to be answered");
        Assert.True(harness.Stats[StatCounter.DatagramsReassembled] > 0, "the fuzzer never completed a reassembly");
    }

    private static void CheckInvariants(StackHarness harness)
    {
        StackOptions options = harness.Options;
        Assert.InRange(harness.Stack.Interface.Reassembler.MemoryUsed, 0, options.ReassemblyMemoryLimit);
        Assert.InRange(harness.Stack.Interface.Reassembler.ActiveCount, 0, options.ReassemblyMaxDatagrams);
        Assert.InRange(harness.Stack.Interface.Neighbors.Count, 0, options.ArpCacheCapacity);
        foreach (SentFrame sent in harness.Sink.Frames)
        {
            Assert.True(EthernetFrame.TryCreate(sent.Bytes, out EthernetFrame ethernet));
            Assert.Equal(OurMac, ethernet.Source);
            if (ethernet.EtherType == EtherType.Ipv4)
            {
                Assert.True(Ipv4Packet.TryCreate(ethernet.Payload, out Ipv4Packet ip));
                Assert.True(ip.IsChecksumValid);
                Assert.True(ip.TotalLength <= options.Mtu);
                Assert.Equal(OurIp, ip.Source);
                Assert.True(harness.Stack.Interface.IsValidSource(ip.Destination) || ip.Destination.IsLimitedBroadcast || ip.Destination == new Ipv4Address(10, 0, 0, 255) || ip.Destination == new Ipv4Address(10, 0, 0, 0));
            }
            else
            {
                Assert.Equal(EtherType.Arp, ethernet.EtherType);
            }
        }
    }

    /// <summary>Valid frames of every kind the stack handles, as seeds for mutation.</summary>
    private static List<byte[]> Corpus()
    {
        var corpus = new List<byte[]>
        {
            CapturedFrames.Bytes(CapturedFrames.ArpRequest),
            CapturedFrames.Bytes(CapturedFrames.ArpReply),
            CapturedFrames.Bytes(CapturedFrames.IcmpEchoRequest),
            CapturedFrames.Bytes(CapturedFrames.FragmentFirst),
            CapturedFrames.Bytes(CapturedFrames.FragmentMiddle),
            CapturedFrames.Bytes(CapturedFrames.FragmentLast),
            CapturedFrames.Bytes(CapturedFrames.UdpToClosedPort),
            CapturedFrames.Bytes(CapturedFrames.TcpSyn),
            ArpReplyTo(new Ipv4Address(10, 0, 0, 9), MacAddress.Parse("02:00:00:00:00:09")),
            EchoRequestFrame(1, 2, Pattern(100), destination: Ipv4Address.Broadcast, ethernetDestination: MacAddress.Broadcast),
        };
        byte[] ours = Ipv4(new Ipv4Header(OurIp, PeerIp, IpProtocol.Udp, 8), Pattern(8));
        byte[] error = Icmp(IcmpType.DestinationUnreachable, IcmpUnreachableCode.Port, 0, ours);
        corpus.Add(Ipv4Frame(Header(IpProtocol.Icmp, error.Length), error));
        byte[] echo = EchoRequest(3, 4, Pattern(5000));
        corpus.AddRange(Fragments(Header(IpProtocol.Icmp, echo.Length, identification: 99), echo));
        corpus.AddRange(Fragments(Header(IpProtocol.Udp, 3000, identification: 98), Pattern(3000), chunk: 512));
        return corpus;
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        byte[] frame = (byte[])original.Clone();
        switch (random.Next(6))
        {
            case 0:
                // Flip a few bits anywhere.
                for (int i = random.Next(1, 4); i > 0 && frame.Length > 0; i--)
                {
                    frame[random.Next(frame.Length)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 1:
                frame = frame[..random.Next(frame.Length + 1)];
                break;
            case 2:
                frame = [.. frame, .. Pattern(random.Next(64), random.Next())];
                break;
            case 3:
                // Random bytes in the IP or ARP header.
                for (int i = random.Next(1, 6); i > 0 && frame.Length > 14; i--)
                {
                    frame[14 + random.Next(Math.Min(28, frame.Length - 14))] = (byte)random.Next(256);
                }

                break;
            case 4:
                // A different fragment offset / flags word.
                if (frame.Length >= 22)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), (ushort)random.Next(65536));
                }

                break;
            default:
                break; // unchanged: the valid frame itself
        }

        return Repair(frame, random);
    }

    /// <summary>Often fixes the IPv4 and ICMP checksums after a mutation, so the mutation reaches deeper layers.</summary>
    private static byte[] Repair(byte[] frame, Random random)
    {
        if (frame.Length < 34 || frame[12] != 0x08 || frame[13] != 0x00 || random.Next(5) == 0)
        {
            return frame;
        }

        Span<byte> ip = frame.AsSpan(14);
        if (random.Next(3) != 0)
        {
            ip[0] = (byte)(0x40 | Math.Max(5, ip[0] & 0xF));
        }

        int headerLength = (ip[0] & 0xF) * 4;
        if (headerLength > ip.Length)
        {
            return frame;
        }

        if (random.Next(3) == 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ip.Length);
        }

        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip[..headerLength]));
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (ip[9] == IpProtocol.Icmp && totalLength <= ip.Length && totalLength >= headerLength + 8 && random.Next(2) == 0)
        {
            Span<byte> icmp = ip[headerLength..totalLength];
            BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum.Compute(icmp));
        }

        return frame;
    }
}
