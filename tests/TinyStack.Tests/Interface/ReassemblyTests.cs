using TinyStack.Interface;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

public class ReassemblyTests
{
    private const byte TestProtocol = IpProtocol.Udp;

    private static (StackHarness Harness, RecordingProtocol Protocol) Create(StackOptions? options = null)
    {
        var harness = new StackHarness(options);
        var protocol = new RecordingProtocol();
        harness.Stack.Interface.Register(TestProtocol, protocol);
        harness.LearnPeer();
        return (harness, protocol);
    }

    private static Ipv4Header UdpHeader(int payloadLength, ushort identification = 0x5151, Ipv4Address? source = null) =>
        Header(TestProtocol, payloadLength, identification, source);

    [Fact]
    public void Reassembled_datagram_is_delivered_with_a_whole_header()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        byte[] payload = Pattern(3000);
        List<byte[]> fragments = Fragments(UdpHeader(payload.Length), payload);

        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(fragments[2]));
        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(fragments[0]));
        Assert.Equal(DropReason.Accepted, harness.Receive(fragments[1]));

        RecordedDatagram datagram = Assert.Single(protocol.Datagrams);
        Assert.Equal(payload, datagram.Payload);
        Assert.True(Ipv4Packet.TryCreate([.. datagram.Header, .. datagram.Payload], out Ipv4Packet whole));
        Assert.True(whole.IsChecksumValid);
        Assert.Equal(3020, whole.TotalLength);
        Assert.False(whole.IsFragment);
        Assert.Equal(0x5151, whole.Identification);
        Assert.Equal(0, harness.Stack.Interface.Reassembler.MemoryUsed);
        Assert.Equal(3, harness.Stats[StatCounter.FragmentsReceived]);
    }

    [Fact]
    public void Exact_duplicates_are_dropped_alone()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        byte[] payload = Pattern(2000);
        List<byte[]> fragments = Fragments(UdpHeader(payload.Length), payload);

        harness.Receive(fragments[0]);
        Assert.Equal(DropReason.Ipv4FragmentDuplicate, harness.Receive(fragments[0]));
        Assert.Equal(DropReason.Accepted, harness.Receive(fragments[1]));

        Assert.Equal(payload, Assert.Single(protocol.Datagrams).Payload);
        Assert.Equal(1, harness.Stats[DropReason.Ipv4FragmentDuplicate]);
    }

    [Fact]
    public void Overlapping_fragment_discards_the_whole_datagram()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        Ipv4Header header = UdpHeader(0);
        byte[] payload = Pattern(2000);

        harness.Receive(Fragment(header, 0, more: true, payload.AsSpan(0, 1480)));
        Assert.Equal(1, harness.Stack.Interface.Reassembler.ActiveCount);

        // Rewrites bytes 1472..1480 with different data: the classic filter evasion.
        Assert.Equal(DropReason.Ipv4ReassemblyOverlap, harness.Receive(Fragment(header, 1472, more: false, Pattern(528, seed: 9))));

        Assert.Equal(0, harness.Stack.Interface.Reassembler.ActiveCount);
        Assert.Equal(0, harness.Stack.Interface.Reassembler.MemoryUsed);

        // The rest of the original can no longer complete anything on its own.
        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(Fragment(header, 1480, more: false, payload.AsSpan(1480))));
        Assert.Empty(protocol.Datagrams);
        Assert.Equal(1, harness.Stats[DropReason.Ipv4ReassemblyOverlap]);
    }

    [Fact]
    public void Fragment_inside_received_data_that_is_not_an_exact_duplicate_is_an_overlap()
    {
        (StackHarness harness, _) = Create();
        Ipv4Header header = UdpHeader(0);

        harness.Receive(Fragment(header, 0, more: true, Pattern(1480)));

        Assert.Equal(DropReason.Ipv4ReassemblyOverlap, harness.Receive(Fragment(header, 8, more: true, Pattern(1480).AsSpan(8, 16))));
    }

    [Fact]
    public void Fragments_with_the_same_id_from_different_sources_are_kept_apart()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        var other = new Ipv4Address(10, 0, 0, 50);
        harness.LearnPeer(other, MacAddress.Parse("02:00:00:00:00:50"));
        byte[] a = Pattern(2000, seed: 1);
        byte[] b = Pattern(2000, seed: 2);
        List<byte[]> fromPeer = Fragments(UdpHeader(a.Length, 7), a);
        List<byte[]> fromOther = Fragments(UdpHeader(b.Length, 7, other), b);

        harness.Receive(fromPeer[0]);
        harness.Receive(fromOther[1]);
        harness.Receive(fromOther[0]);
        harness.Receive(fromPeer[1]);

        Assert.Equal([b, a], protocol.Datagrams.Select(d => d.Payload));
    }

    [Fact]
    public void Timeout_with_the_first_fragment_sends_time_exceeded_and_frees_the_memory()
    {
        (StackHarness harness, _) = Create();
        byte[] payload = Pattern(4000);
        List<byte[]> fragments = Fragments(UdpHeader(payload.Length), payload);
        Instant first = harness.Now;
        harness.Receive(fragments[0]);
        harness.Advance(Duration.FromSeconds(10));
        harness.Receive(fragments[2]);
        Assert.True(harness.Stack.Interface.Reassembler.MemoryUsed > 0);

        // RFC 791 / Linux: the timer runs from the first fragment; later ones do not extend it.
        Assert.Equal(first + harness.Options.ReassemblyTimeout, harness.Stack.NextDeadline);
        harness.AdvanceTo(first + harness.Options.ReassemblyTimeout - Duration.FromMicroseconds(1));
        Assert.Empty(harness.Take());

        harness.AdvanceTo(first + harness.Options.ReassemblyTimeout);

        SentFrame sent = Assert.Single(harness.TakeIpv4());
        Assert.Equal(TxReason.IcmpError, sent.Note.Reason);
        ParsedIpv4 error = ParseIpv4(sent.Bytes);
        Assert.Equal(PeerIp, error.Header.Destination);
        Assert.Equal(new IcmpHeader(IcmpType.TimeExceeded, 1, 0), error.Icmp);
        Assert.True(error.IcmpChecksumValid);

        // It quotes the first fragment as received: its header (MF set) and its first bytes.
        Assert.Equal(576, error.Header.TotalLength);
        Assert.Equal(fragments[0].AsSpan(14, 548).ToArray(), error.IcmpData);

        Assert.Equal(0, harness.Stack.Interface.Reassembler.MemoryUsed);
        Assert.Equal(0, harness.Stack.Interface.Reassembler.ActiveCount);
        Assert.Equal(1, harness.Stats[DropReason.Ipv4ReassemblyTimeout]);

        // The expired datagram is gone: its last fragment starts a new reassembly.
        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(fragments[1]));
    }

    [Fact]
    public void Timeout_without_the_first_fragment_sends_nothing()
    {
        (StackHarness harness, _) = Create();
        byte[] payload = Pattern(4000);
        List<byte[]> fragments = Fragments(UdpHeader(payload.Length), payload);
        harness.Receive(fragments[1]);

        harness.Advance(harness.Options.ReassemblyTimeout);

        Assert.Empty(harness.Take());
        Assert.Equal(0, harness.Stack.Interface.Reassembler.MemoryUsed);
        Assert.Equal(1, harness.Stats[DropReason.Ipv4ReassemblyTimeout]);
    }

    [Fact]
    public void Timeout_of_a_fragmented_ICMP_error_is_not_answered_with_an_error()
    {
        (StackHarness harness, _) = Create();
        byte[] error = Icmp(IcmpType.DestinationUnreachable, IcmpUnreachableCode.Port, 0, Pattern(3000));
        List<byte[]> fragments = Fragments(Header(IpProtocol.Icmp, error.Length), error);
        harness.Receive(fragments[0]);

        harness.Advance(harness.Options.ReassemblyTimeout);

        Assert.Empty(harness.Take());
        Assert.Equal(1, harness.Stats[DropReason.Ipv4ReassemblyTimeout]);
    }

    [Fact]
    public void Timeout_of_a_fragmented_echo_request_is_answered()
    {
        (StackHarness harness, _) = Create();
        byte[] echo = EchoRequest(1, 1, Pattern(3000));
        harness.Receive(Fragments(Header(IpProtocol.Icmp, echo.Length), echo)[0]);

        harness.Advance(harness.Options.ReassemblyTimeout);

        Assert.Equal(IcmpType.TimeExceeded, ParseIpv4(Assert.Single(harness.TakeIpv4()).Bytes).Icmp.Type);
    }

    [Fact]
    public void Too_many_datagrams_at_once_are_refused()
    {
        (StackHarness harness, _) = Create(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, ReassemblyMaxDatagrams = 2 });

        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(Fragment(UdpHeader(0, 1), 0, true, Pattern(8))));
        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(Fragment(UdpHeader(0, 2), 0, true, Pattern(8))));
        Assert.Equal(DropReason.Ipv4ReassemblyLimit, harness.Receive(Fragment(UdpHeader(0, 3), 0, true, Pattern(8))));

        // Fragments of the datagrams already held still count.
        Assert.Equal(DropReason.Accepted, harness.Receive(Fragment(UdpHeader(0, 2), 8, false, Pattern(8))));
        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(Fragment(UdpHeader(0, 3), 0, true, Pattern(8))));
        Assert.Equal(1, harness.Stats[DropReason.Ipv4ReassemblyLimit]);
    }

    [Fact]
    public void Memory_limit_discards_the_datagram_that_would_exceed_it()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, ReassemblyMemoryLimit = 20_000 });
        byte[] small = Pattern(3000, seed: 1);
        List<byte[]> smallFragments = Fragments(UdpHeader(small.Length, 1), small);
        harness.Receive(smallFragments[0]);
        int held = harness.Stack.Interface.Reassembler.MemoryUsed;
        Assert.InRange(held, 1480, 8192);

        // A 60000-byte datagram announces its end first: its buffer cannot fit.
        byte[] large = Pattern(60_000, seed: 2);
        List<byte[]> largeFragments = Fragments(UdpHeader(large.Length, 2), large);
        Assert.Equal(DropReason.Ipv4ReassemblyLimit, harness.Receive(largeFragments[^1]));
        Assert.Equal(held, harness.Stack.Interface.Reassembler.MemoryUsed);
        Assert.Equal(1, harness.Stack.Interface.Reassembler.ActiveCount);

        // The small one still completes.
        harness.Receive(smallFragments[1]);
        Assert.Equal(DropReason.Accepted, harness.Receive(smallFragments[2]));
        Assert.Equal(small, Assert.Single(protocol.Datagrams).Payload);
        Assert.Equal(0, harness.Stack.Interface.Reassembler.MemoryUsed);
    }

    [Fact]
    public void Memory_grows_with_the_data_held()
    {
        var reassembler = new Ipv4Reassembler(64, 4 << 20, Duration.FromSeconds(30));
        byte[] frame = Fragment(UdpHeader(0), 0, true, Pattern(1480));
        Assert.True(Ipv4Packet.TryCreate(frame.AsSpan(14), out Ipv4Packet fragment));

        Assert.Equal(DropReason.Ipv4FragmentQueued, reassembler.Add(fragment, false, Instant.Zero, out _));

        Assert.InRange(reassembler.MemoryUsed, 1480, 2048 + 256);
    }

    [Theory]
    [InlineData(0, true, 100)] // not a multiple of 8 but more follow
    [InlineData(0, true, 0)] // empty
    [InlineData(65528, false, 100)] // ping of death: ends beyond 65535
    [InlineData(65512, false, 8)] // 20 + 65520 = 65540 > 65535
    public void Impossible_fragments_are_dropped(int offset, bool more, int length)
    {
        (StackHarness harness, _) = Create();

        Assert.Equal(DropReason.Ipv4FragmentInvalid, harness.Receive(Fragment(UdpHeader(0), offset, more, Pattern(length))));
        Assert.Equal(0, harness.Stack.Interface.Reassembler.ActiveCount);
    }

    [Fact]
    public void Fragments_that_disagree_about_the_end_discard_the_datagram()
    {
        (StackHarness harness, _) = Create();
        Ipv4Header header = UdpHeader(0);
        harness.Receive(Fragment(header, 0, true, Pattern(16)));
        harness.Receive(Fragment(header, 32, false, Pattern(16)));

        Assert.Equal(DropReason.Ipv4FragmentInvalid, harness.Receive(Fragment(header, 40, false, Pattern(16))));
        Assert.Equal(0, harness.Stack.Interface.Reassembler.ActiveCount);

        harness.Receive(Fragment(header, 64, false, Pattern(8)));
        Assert.Equal(DropReason.Ipv4FragmentInvalid, harness.Receive(Fragment(header, 72, true, Pattern(8)))); // beyond the known end
        Assert.Equal(0, harness.Stack.Interface.Reassembler.MemoryUsed);
    }
}
