using TinyStack.Host.Capture;
using System.Buffers.Binary;
using TinyStack.Host.Links;
using TinyStack.Tcp;
using TinyStack.Tests.Interface;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Host;

/// <summary>
/// A stack driven through a capturing link as the host drives it: every frame it drops carries
/// the drop reason as its pcapng comment, and every frame it sends carries why, as tshark reads them.
/// </summary>
public sealed class CaptureCommentTests
{
    private const int DestinationUnreachableType = 3;

    [Fact]
    public void Dropped_frames_carry_their_reason_and_sent_frames_theirs_in_tshark()
    {
        using var file = new TempFile("comments.pcapng");
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        var stack = new NetworkStack(StackHarness.Defaults());
        var verdicts = new List<DropReason>();
        using (var link = new CapturingLink(a, CaptureWriter.Create(file.Path, DateTimeOffset.UnixEpoch)))
        {
            var sink = new LinkSink(link);
            byte[] buffer = new byte[2048];
            Instant now = Instant.FromMilliseconds(1);

            byte[] badChecksum = EchoRequestFrame(1, 1, Pattern(8));
            badChecksum[EthernetHeader.Length + 10] ^= 0xFF;
            byte[][] frames =
            [
                ArpRequestFromPeer(OurIp),
                EchoRequestFrame(1, 1, Pattern(8)),
                badChecksum,
                Segment(TcpFlags.Syn, port: 4444),
                Segment(TcpFlags.Ack, port: 4444),
                Datagram(port: 5555), // no UDP in this stack: protocol unreachable
                Ethernet(OurMac, PeerMac, 0x88B5, Pattern(50)),
            ];
            foreach (byte[] frame in frames)
            {
                b.Transmit(frame, default, now);
                int length = link.Receive(buffer, now);
                Assert.Equal(frame.Length, length);
                sink.Now = now;
                DropReason verdict = stack.Receive(buffer.AsSpan(0, length), now, sink);
                link.ReportVerdict(verdict);
                verdicts.Add(verdict);
                stack.Poll(now, sink);
                now += Duration.FromMilliseconds(1);
            }
        }

        Assert.Equal(
            [DropReason.Accepted, DropReason.Accepted, DropReason.Ipv4BadChecksum, DropReason.TcpNoConnection,
             DropReason.TcpNoConnection, DropReason.Ipv4UnknownProtocol, DropReason.EthernetUnsupportedType],
            verdicts);

        // In pcapng, direction 1 is inbound and 2 outbound.
        string[] lines = Tshark.Fields(file.Path, "frame.packet_flags_direction", "frame.comment", "frame.protocols", "icmp.type")
            .Select(Tshark.NormalizeHex).ToArray();
        string[] inbound = [.. lines.Where(l => l.StartsWith("1|", StringComparison.Ordinal)).Select(l => l.Split('|')[1])];
        string[] outbound = [.. lines.Where(l => l.StartsWith("2|", StringComparison.Ordinal))];
        Assert.Equal(verdicts.Select(v => v == DropReason.Accepted ? string.Empty : v.ToString()), inbound);
        Assert.Equal(
            ["ArpReply", "EchoReply", "TcpReset cause=NoListener cwnd=- rto=-", "TcpReset cause=NoListener cwnd=- rto=-", "IcmpError"],
            outbound.Select(l => l.Split('|')[1]));
        Assert.Contains("tcp", outbound[2], StringComparison.Ordinal);
        Assert.EndsWith($"|{DestinationUnreachableType}", outbound[4], StringComparison.Ordinal);
    }

    private static byte[] Segment(TcpFlags flags, ushort port)
    {
        var header = new TcpHeader(40000, port, new SeqNumber(1000), new SeqNumber((flags & TcpFlags.Ack) != 0 ? 5000u : 0u), flags, 65535);
        byte[] segment = new byte[header.Length];
        header.WriteTo(segment, PeerIp, OurIp);
        return Ipv4Frame(Header(IpProtocol.Tcp, segment.Length), segment);
    }

    private static byte[] Datagram(ushort port)
    {
        byte[] udp = new byte[8 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        return Ipv4Frame(Header(IpProtocol.Udp, udp.Length), udp);
    }

    /// <summary>Hands what the stack emits to the link, as the host's sink does.</summary>
    private sealed class LinkSink(ILinkDevice link) : IFrameSink
    {
        public Instant Now { get; set; }

        public void Transmit(ReadOnlySpan<byte> frame, in TxNote note) => link.Transmit(frame, note, Now);
    }
}
