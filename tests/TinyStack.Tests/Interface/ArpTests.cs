using TinyStack.Interface;
using TinyStack.Tests.Wire;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

public class ArpTests
{
    [Fact]
    public void Request_for_our_address_gets_the_reply_Linux_sends_byte_for_byte()
    {
        var harness = new StackHarness();

        DropReason verdict = harness.Receive(CapturedFrames.ArpRequest);

        Assert.Equal(DropReason.Accepted, verdict);
        SentFrame reply = Assert.Single(harness.Take());
        Assert.Equal(CapturedFrames.ArpReply, reply.Hex);
        Assert.Equal(TxReason.ArpReply, reply.Note.Reason);
        Assert.Equal(1, harness.Stats[StatCounter.ArpRequestsReceived]);
        Assert.Equal(1, harness.Stats[StatCounter.ArpRepliesSent]);
    }

    [Fact]
    public void Request_for_our_address_teaches_us_the_sender()
    {
        var harness = new StackHarness();

        harness.Receive(CapturedFrames.ArpRequest);

        Assert.True(harness.Stack.Interface.Neighbors.TryGet(PeerIp, out NeighborEntry? entry));
        Assert.Equal(PeerMac, entry.Mac);
        Assert.Equal(NeighborState.Reachable, entry.State);
    }

    [Fact]
    public void Request_for_another_address_is_ignored_and_teaches_nothing()
    {
        var harness = new StackHarness();

        DropReason verdict = harness.Receive(ArpRequestFromPeer(new Ipv4Address(10, 0, 0, 3)));

        Assert.Equal(DropReason.ArpNotForUs, verdict);
        Assert.Empty(harness.Take());
        Assert.Equal(0, harness.Stack.Interface.Neighbors.Count);
        Assert.Equal(1, harness.Stats[DropReason.ArpNotForUs]);
    }

    [Fact]
    public void Overheard_packet_updates_an_existing_entry_per_RFC_826_merge()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        MacAddress moved = MacAddress.Parse("02:00:00:00:00:99");

        // The peer announces a new hardware address to someone else (a gratuitous ARP).
        DropReason verdict = harness.Receive(Arp(ArpOperation.Request, moved, PeerIp, MacAddress.Zero, PeerIp));

        Assert.Equal(DropReason.ArpNotForUs, verdict);
        Assert.True(harness.Stack.Interface.Neighbors.TryGet(PeerIp, out NeighborEntry? entry));
        Assert.Equal(moved, entry.Mac);
        Assert.Empty(harness.Take());
    }

    [Fact]
    public void Reply_addressed_to_us_from_an_unknown_sender_is_learned()
    {
        var harness = new StackHarness();
        var other = new Ipv4Address(10, 0, 0, 7);
        MacAddress otherMac = MacAddress.Parse("02:00:00:00:00:07");

        Assert.Equal(DropReason.Accepted, harness.Receive(ArpReplyTo(other, otherMac)));

        Assert.Empty(harness.Take());
        Assert.True(harness.Stack.Interface.Neighbors.TryGet(other, out NeighborEntry? entry));
        Assert.Equal(otherMac, entry.Mac);
    }

    [Fact]
    public void Probe_for_our_address_is_answered_without_learning_the_prober()
    {
        var harness = new StackHarness();
        MacAddress prober = MacAddress.Parse("02:00:00:00:00:33");

        DropReason verdict = harness.Receive(Arp(ArpOperation.Request, prober, Ipv4Address.Any, MacAddress.Zero, OurIp));

        Assert.Equal(DropReason.Accepted, verdict);
        SentFrame sent = Assert.Single(harness.Take());
        ArpRepr reply = ParseArp(sent.Bytes, out MacAddress to);
        Assert.Equal(prober, to);
        Assert.Equal(new ArpRepr(ArpOperation.Reply, OurMac, OurIp, prober, Ipv4Address.Any), reply);
        Assert.Equal(0, harness.Stack.Interface.Neighbors.Count);
    }

    [Fact]
    public void Another_host_claiming_our_address_is_counted_as_a_conflict_and_logged()
    {
        var logger = new RecordingLogger(StackLogLevel.Warning);
        var harness = new StackHarness(new StackOptions { SendGratuitousArp = false, Logger = logger });

        DropReason verdict = harness.Receive(Arp(ArpOperation.Request, PeerMac, OurIp, MacAddress.Zero, OurIp));

        Assert.Equal(DropReason.ArpAddressConflict, verdict);
        Assert.Empty(harness.Take());
        Assert.Contains(logger.Messages, m => m.Level == StackLogLevel.Warning && m.Message.Contains("02:00:00:00:00:01", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "10.0.0.1")]
    [InlineData("ff:ff:ff:ff:ff:ff", "10.0.0.1")]
    [InlineData("00:00:00:00:00:00", "10.0.0.1")]
    [InlineData("02:00:00:00:00:01", "224.0.0.1")]
    [InlineData("02:00:00:00:00:01", "127.0.0.1")]
    [InlineData("02:00:00:00:00:01", "10.0.0.255")]
    [InlineData("02:00:00:00:00:01", "255.255.255.255")]
    public void Impossible_sender_is_dropped_and_not_learned(string mac, string ip)
    {
        var harness = new StackHarness();

        DropReason verdict = harness.Receive(Arp(ArpOperation.Request, MacAddress.Parse(mac), Ipv4Address.Parse(ip), MacAddress.Zero, OurIp, MacAddress.Broadcast));

        Assert.Equal(DropReason.ArpBadSender, verdict);
        Assert.Empty(harness.Take());
        Assert.Equal(0, harness.Stack.Interface.Neighbors.Count);
    }

    [Fact]
    public void Our_own_request_looped_back_is_ignored()
    {
        var harness = new StackHarness();

        Assert.Equal(DropReason.ArpNotForUs, harness.Receive(Arp(ArpOperation.Request, OurMac, OurIp, MacAddress.Zero, OurIp)));
        Assert.Empty(harness.Take());
    }

    [Fact]
    public void Truncated_and_foreign_ARP_are_dropped()
    {
        var harness = new StackHarness();
        byte[] request = CapturedFrames.Bytes(CapturedFrames.ArpRequest);

        Assert.Equal(DropReason.ArpMalformed, harness.Receive(request[..41]));

        byte[] tokenRing = (byte[])request.Clone();
        tokenRing[15] = 6; // hardware type 6 (IEEE 802)
        Assert.Equal(DropReason.ArpUnsupported, harness.Receive(tokenRing));

        byte[] rarp = (byte[])request.Clone();
        rarp[21] = 3; // RARP request opcode
        Assert.Equal(DropReason.ArpUnsupported, harness.Receive(rarp));

        Assert.Empty(harness.Take());
        Assert.Equal(1, harness.Stats[DropReason.ArpMalformed]);
        Assert.Equal(2, harness.Stats[DropReason.ArpUnsupported]);
    }

    [Fact]
    public void Gratuitous_ARP_is_sent_at_the_first_poll_only()
    {
        var harness = new StackHarness(StackHarness.Defaults(gratuitousArp: true));
        Assert.Equal(Instant.Zero, harness.Stack.NextDeadline);

        harness.Poll();

        SentFrame announcement = Assert.Single(harness.Take());
        Assert.Equal(TxReason.GratuitousArp, announcement.Note.Reason);
        Assert.Equal("ffffffffffff020000000002080600010800060400010200000000020a000002" + "0000000000000a000002", announcement.Hex);
        Assert.Equal(Instant.MaxValue, harness.Stack.NextDeadline);
        harness.Advance(Duration.FromSeconds(10));
        Assert.Empty(harness.Take());
        Assert.Equal(1, harness.Stats[StatCounter.GratuitousArpsSent]);
    }

    [Fact]
    public void No_gratuitous_ARP_when_disabled()
    {
        var harness = new StackHarness();

        Assert.Equal(Instant.MaxValue, harness.Stack.NextDeadline);
        harness.Poll();

        Assert.Empty(harness.Take());
    }
}
