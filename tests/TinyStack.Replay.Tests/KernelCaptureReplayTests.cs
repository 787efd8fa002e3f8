using TinyStack.Host.Capture;
using TinyStack.Host.Replay;
using TinyStack.Wire;

namespace TinyStack.Replay.Tests;

/// <summary>
/// Frames a real Linux client sent (captures/*.pcap) are replayed into a TinyStack standing where
/// the Linux server stood; TinyStack must answer what Linux answered.
/// </summary>
public sealed class KernelCaptureReplayTests
{
    [Fact]
    public void Arp_requests_get_the_same_replies_linux_sent_byte_for_byte()
    {
        IReadOnlyList<CapturedFrame> frames = Fixtures.Read("arp-who-has.pcap");
        List<byte[]> linux = Fixtures.KernelReplies(frames);
        List<byte[]> ours = Sent(CaptureReplay.Run(frames, Fixtures.ServerOptions));

        Assert.Equal(2, linux.Count);
        Assert.Equal(linux.Count, ours.Count);
        for (int i = 0; i < linux.Count; i++)
        {
            // Ethernet + ARP are 42 bytes; anything after that is padding to the 60-byte minimum.
            Assert.Equal(linux[i].AsSpan(0, 42).ToArray(), ours[i].AsSpan(0, 42).ToArray());
            Assert.True(ours[i].AsSpan(42).IndexOfAnyExcept((byte)0) < 0, "padding must be zero");
        }
    }

    [Theory]
    [InlineData("ping.pcap", 3, 1)]
    [InlineData("ping-fragmented.pcap", 2, 3)]
    public void Echo_requests_get_replies_that_match_linux(string capture, int expectedReplies, int fragmentsPerReply)
    {
        IReadOnlyList<CapturedFrame> frames = Fixtures.Read(capture);
        IReadOnlyList<ReplayEvent> events = CaptureReplay.Run(frames, Fixtures.ServerOptions);
        Assert.DoesNotContain(events, e => e.Inbound && e.Verdict is not (DropReason.Accepted or DropReason.Ipv4FragmentQueued));

        List<Datagrams.Datagram> linux = Datagrams.Reassemble(Fixtures.KernelReplies(frames));
        List<Datagrams.Datagram> ours = Datagrams.Reassemble(Sent(events));
        Assert.Equal(expectedReplies, linux.Count);
        Assert.Equal(linux.Count, ours.Count);
        for (int i = 0; i < linux.Count; i++)
        {
            Assert.Equal(linux[i].Source, ours[i].Source);
            Assert.Equal(linux[i].Destination, ours[i].Destination);
            Assert.Equal(IpProtocol.Icmp, ours[i].Protocol);
            Assert.Equal(linux[i].Ttl, ours[i].Ttl);
            Assert.Equal(fragmentsPerReply, ours[i].Fragments);

            // The ICMP message (type, code, checksum, id, seq, timestamp and data) is the same
            // as Linux's: only IP-level choices such as the IP ID may differ.
            Assert.Equal(linux[i].Payload, ours[i].Payload);
            Assert.True(IcmpPacket.TryCreate(ours[i].Payload, out IcmpPacket icmp));
            Assert.Equal(IcmpType.EchoReply, icmp.Type);
            Assert.True(icmp.IsChecksumValid);
        }
    }

    [Fact]
    public void Frames_the_server_sent_are_skipped_so_the_stack_stands_in_its_place()
    {
        IReadOnlyList<CapturedFrame> frames = Fixtures.Read("ping.pcap");
        IReadOnlyList<ReplayEvent> events = CaptureReplay.Run(frames, Fixtures.ServerOptions);
        int fromClient = frames.Count(f => new MacAddress(f.Data.AsSpan(6, 6)) != Fixtures.ServerMac);
        Assert.Equal(fromClient, events.Count(e => e.Inbound));
    }

    private static List<byte[]> Sent(IEnumerable<ReplayEvent> events) => [.. events.Where(e => !e.Inbound).Select(e => e.Frame)];
}
