using TinyStack.Interface;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

/// <summary>Resolution, retries, queues, expiry and refresh of the neighbour cache, in virtual time.</summary>
public class NeighborResolutionTests
{
    private static readonly Ipv4Address s_neighbor = new(10, 0, 0, 9);
    private static readonly MacAddress s_neighborMac = MacAddress.Parse("02:00:00:00:00:09");

    [Fact]
    public void Sending_to_an_unknown_neighbour_broadcasts_a_request_and_queues_the_datagram()
    {
        var harness = new StackHarness();

        DropReason result = harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(100));

        Assert.Equal(DropReason.Accepted, result);
        SentFrame request = Assert.Single(harness.Take());
        Assert.Equal(TxReason.ArpRequest, request.Note.Reason);
        Assert.Equal(0, request.Note.Count);
        Assert.Equal("ffffffffffff020000000002080600010800060400010200000000020a000002" + "0000000000000a000009", request.Hex);
        Assert.True(harness.Stack.Interface.Neighbors.TryGet(s_neighbor, out NeighborEntry? entry));
        Assert.Equal(NeighborState.Incomplete, entry.State);
        Assert.Equal(1, entry.PendingCount);
        Assert.Equal(harness.Now + harness.Options.ArpRetryInterval, harness.Stack.NextDeadline);
    }

    [Fact]
    public void Reply_releases_the_queued_datagrams_in_order()
    {
        var harness = new StackHarness();
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(100, seed: 1));
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(3000, seed: 2));
        Assert.Single(harness.Take()); // one request for both datagrams

        Assert.Equal(DropReason.Accepted, harness.Receive(ArpReplyTo(s_neighbor, s_neighborMac)));

        List<SentFrame> sent = harness.Take();
        Assert.Equal(4, sent.Count); // 100 bytes in one frame, 3000 bytes in three fragments
        Assert.All(sent, f => Assert.Equal(s_neighborMac, ParseIpv4(f.Bytes).EthernetDestination));
        // Each keeps the note it was sent with, marked as held for ARP.
        Assert.Equal(new TxNote(TxReason.UdpData, WaitedForArp: true), sent[0].Note);
        Assert.Equal(new TxNote(TxReason.UdpData, WaitedForArp: true), sent[1].Note);
        Assert.Equal("UdpData after-arp", sent[0].Note.ToString());
        ParsedIpv4 first = ParseIpv4(sent[0].Bytes);
        Assert.Equal(Pattern(100, seed: 1), first.Payload);
        Assert.Equal(s_neighbor, first.Header.Destination);
        Assert.Equal(Pattern(3000, seed: 2), Reassemble(sent.Skip(1)).Payload);
        Assert.Equal(1, harness.Stats[StatCounter.ArpResolved]);
        Assert.Equal(harness.Now + harness.Options.ArpEntryLifetime + harness.Options.ArpStaleEntryLifetime, harness.Stack.NextDeadline);

        // Resolved: the next datagram goes straight out.
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(10));
        SentFrame direct = Assert.Single(harness.Take());
        Assert.Equal(TxReason.UdpData, direct.Note.Reason);
    }

    [Fact]
    public void A_request_from_the_neighbour_we_are_resolving_resolves_it_too()
    {
        var harness = new StackHarness();
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(30));
        harness.Take();

        // It asks for us before answering our request: RFC 826's merge fills the entry in.
        harness.Receive(Arp(ArpOperation.Request, s_neighborMac, s_neighbor, MacAddress.Zero, OurIp));

        List<SentFrame> sent = harness.Take();
        Assert.Equal([new TxNote(TxReason.UdpData, WaitedForArp: true), new TxNote(TxReason.ArpReply)], sent.Select(f => f.Note));
        Assert.Equal(Pattern(30), ParseIpv4(sent[0].Bytes).Payload);
        Assert.Equal(harness.Now + harness.Options.ArpEntryLifetime + harness.Options.ArpStaleEntryLifetime, harness.Stack.NextDeadline);
    }

    [Fact]
    public void Unanswered_requests_are_retried_then_resolution_fails_at_the_right_times()
    {
        var logger = new RecordingLogger(StackLogLevel.Info);
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, Logger = logger });
        Instant start = harness.Now;
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(100));
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(200));
        Assert.Single(harness.Take());

        // Nothing is due before the retry interval.
        harness.AdvanceTo(start + Duration.FromMilliseconds(999));
        Assert.Empty(harness.Take());

        harness.AdvanceTo(start + Duration.FromSeconds(1));
        SentFrame second = Assert.Single(harness.Take());
        Assert.Equal(new TxNote(TxReason.ArpRequest, 1), second.Note);
        Assert.Equal(start + Duration.FromSeconds(2), harness.Stack.NextDeadline);

        harness.AdvanceTo(start + Duration.FromSeconds(2));
        SentFrame third = Assert.Single(harness.Take());
        Assert.Equal(new TxNote(TxReason.ArpRequest, 2), third.Note);
        Assert.Equal(0, harness.Stats[DropReason.ArpResolutionFailed]);

        // ArpMaxRequests = 3: one more interval without an answer and resolution fails.
        harness.AdvanceTo(start + Duration.FromSeconds(3));
        Assert.Empty(harness.Take());
        Assert.Equal(2, harness.Stats[DropReason.ArpResolutionFailed]);
        Assert.Equal(3, harness.Stats[StatCounter.ArpRequestsSent]);
        Assert.Equal(0, harness.Stack.Interface.Neighbors.Count);
        Assert.Equal(Instant.MaxValue, harness.Stack.NextDeadline);
        Assert.Contains(logger.Messages, m => m.Level == StackLogLevel.Info && m.Message.Contains("10.0.0.9", StringComparison.Ordinal));

        // Nothing more is sent for the dropped datagrams.
        harness.AdvanceTo(start + Duration.FromSeconds(10));
        Assert.Empty(harness.Take());
    }

    [Fact]
    public void Failed_resolution_tells_the_sending_protocol_host_unreachable()
    {
        var harness = new StackHarness();
        var udp = new RecordingProtocol();
        harness.Stack.Interface.Register(IpProtocol.Udp, udp);
        byte[] segment = Pattern(12);
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, segment);

        harness.Advance(Duration.FromSeconds(1));
        harness.Advance(Duration.FromSeconds(1));
        Assert.Empty(udp.Errors);
        harness.Advance(Duration.FromSeconds(1));

        RecordedIcmpError error = Assert.Single(udp.Errors);
        Assert.True(error.IsLocal);
        Assert.Equal(IcmpType.DestinationUnreachable, error.Type);
        Assert.Equal(IcmpUnreachableCode.Host, error.Code);
        Assert.Equal(OurIp, error.QuotedSource);
        Assert.Equal(s_neighbor, error.QuotedDestination);
        Assert.Equal(segment, error.TransportPrefix);
    }

    [Fact]
    public void Pending_queue_is_bounded_and_keeps_the_latest_datagrams()
    {
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, ArpPendingQueueLength = 3 });
        for (int i = 0; i < 5; i++)
        {
            harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(50, seed: i));
        }

        Assert.Single(harness.Take());
        Assert.Equal(2, harness.Stats[DropReason.ArpQueueFull]);

        harness.Receive(ArpReplyTo(s_neighbor, s_neighborMac));

        List<SentFrame> released = harness.Take();
        Assert.Equal([Pattern(50, 2), Pattern(50, 3), Pattern(50, 4)], released.Select(f => ParseIpv4(f.Bytes).Payload));
    }

    [Fact]
    public void Pending_queue_is_also_bounded_in_bytes()
    {
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, ArpPendingQueueBytes = 2500 });
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(1000, seed: 1));
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(1000, seed: 2));
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(1000, seed: 3)); // 3 x 1020 > 2500: the oldest goes
        harness.SendFromStack(s_neighbor, IpProtocol.Udp, Pattern(3000, seed: 4)); // too big to queue at all
        harness.Take();

        harness.Receive(ArpReplyTo(s_neighbor, s_neighborMac));

        Assert.Equal([Pattern(1000, 2), Pattern(1000, 3)], harness.Take().Select(f => ParseIpv4(f.Bytes).Payload));
        Assert.Equal(2, harness.Stats[DropReason.ArpQueueFull]);
    }

    [Fact]
    public void Entry_is_used_without_requests_until_it_goes_stale()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        Instant learned = harness.Now;

        harness.AdvanceTo(learned + harness.Options.ArpEntryLifetime - Duration.FromMicroseconds(1));
        harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(20));

        SentFrame datagram = Assert.Single(harness.Take());
        Assert.Equal(PeerMac, ParseIpv4(datagram.Bytes).EthernetDestination);
    }

    [Fact]
    public void Stale_entry_in_use_is_refreshed_with_unicast_requests_while_still_used()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        Instant learned = harness.Now;
        harness.AdvanceTo(learned + harness.Options.ArpEntryLifetime);

        harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(20));

        List<SentFrame> sent = harness.Take();
        Assert.Equal(2, sent.Count);
        ArpRepr probe = ParseArp(sent[0].Bytes, out MacAddress probeDestination);
        Assert.Equal(PeerMac, probeDestination); // unicast to the address we believe
        Assert.Equal(new ArpRepr(ArpOperation.Request, OurMac, OurIp, MacAddress.Zero, PeerIp), probe);
        Assert.Equal(PeerMac, ParseIpv4(sent[1].Bytes).EthernetDestination); // the datagram did not wait
        Assert.True(harness.Stack.Interface.Neighbors.TryGet(PeerIp, out NeighborEntry? entry));
        Assert.Equal(NeighborState.Probing, entry.State);

        // The peer answers: reachable again, no more probes, and a fresh lifetime.
        harness.Advance(Duration.FromMilliseconds(5));
        harness.Receive(Arp(ArpOperation.Reply, PeerMac, PeerIp, OurMac, OurIp));
        Assert.Equal(NeighborState.Reachable, entry.State);
        harness.Advance(Duration.FromSeconds(5));
        Assert.Empty(harness.Take());
        harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(20));
        Assert.Single(harness.Take());
    }

    [Fact]
    public void Stale_entry_whose_probes_go_unanswered_is_removed_and_resolved_afresh()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        harness.AdvanceTo(harness.Now + harness.Options.ArpEntryLifetime);
        harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(20));
        Assert.Equal(2, harness.Take().Count);

        harness.Advance(Duration.FromSeconds(1));
        harness.Advance(Duration.FromSeconds(1));
        List<SentFrame> probes = harness.Take();
        Assert.Equal(2, probes.Count);
        Assert.All(probes, p => Assert.Equal(TxReason.ArpRequest, p.Note.Reason));
        harness.Advance(Duration.FromSeconds(1));
        Assert.Empty(harness.Take());
        Assert.Equal(0, harness.Stack.Interface.Neighbors.Count);

        harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(20));
        ParseArp(Assert.Single(harness.Take()).Bytes, out MacAddress destination);
        Assert.Equal(MacAddress.Broadcast, destination);
    }

    [Fact]
    public void Unused_stale_entry_expires_and_its_memory_is_released()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        Instant expiry = harness.Now + harness.Options.ArpEntryLifetime + harness.Options.ArpStaleEntryLifetime;
        Assert.Equal(expiry, harness.Stack.NextDeadline);

        harness.AdvanceTo(expiry - Duration.FromMicroseconds(1));
        Assert.Equal(1, harness.Stack.Interface.Neighbors.Count);

        harness.AdvanceTo(expiry);
        Assert.Equal(0, harness.Stack.Interface.Neighbors.Count);
        Assert.Equal(Instant.MaxValue, harness.Stack.NextDeadline);
        Assert.Empty(harness.Take());
    }

    [Fact]
    public void Upper_layer_confirmation_keeps_an_entry_fresh()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        harness.Advance(harness.Options.ArpEntryLifetime - Duration.FromSeconds(1));

        harness.Stack.Interface.ConfirmReachable(PeerIp, harness.Now);
        harness.Advance(Duration.FromSeconds(2));
        harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(20));

        Assert.Single(harness.Take()); // the datagram, no probe
    }

    [Fact]
    public void Full_cache_evicts_the_least_recently_confirmed_entry()
    {
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, ArpCacheCapacity = 2 });
        for (byte host = 11; host <= 13; host++)
        {
            harness.LearnPeer(new Ipv4Address(10, 0, 0, host), MacAddress.FromUInt64(0x0200_0000_0000UL + host));
            harness.Advance(Duration.FromSeconds(1));
        }

        NeighborCache cache = harness.Stack.Interface.Neighbors;
        Assert.Equal(2, cache.Count);
        Assert.False(cache.TryGet(new Ipv4Address(10, 0, 0, 11), out _));
        Assert.True(cache.TryGet(new Ipv4Address(10, 0, 0, 13), out _));
    }

    [Fact]
    public void Cache_full_of_unresolved_entries_refuses_new_destinations()
    {
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, ArpCacheCapacity = 1 });
        harness.SendFromStack(new Ipv4Address(10, 0, 0, 20), IpProtocol.Udp, Pattern(20));

        DropReason result = harness.SendFromStack(new Ipv4Address(10, 0, 0, 21), IpProtocol.Udp, Pattern(20));

        Assert.Equal(DropReason.ArpCacheFull, result);
        Assert.Equal(1, harness.Stats[DropReason.ArpCacheFull]);
    }

    [Fact]
    public void Off_link_destinations_are_resolved_through_the_gateway()
    {
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, Gateway = PeerIp });
        harness.LearnPeer();

        harness.SendFromStack(new Ipv4Address(192, 0, 2, 80), IpProtocol.Udp, Pattern(20));

        ParsedIpv4 sent = ParseIpv4(Assert.Single(harness.Take()).Bytes);
        Assert.Equal(PeerMac, sent.EthernetDestination);
        Assert.Equal(new Ipv4Address(192, 0, 2, 80), sent.Header.Destination);
    }

    [Fact]
    public void Off_link_destination_without_gateway_has_no_route()
    {
        var harness = new StackHarness();

        DropReason result = harness.SendFromStack(new Ipv4Address(192, 0, 2, 80), IpProtocol.Udp, Pattern(20));

        Assert.Equal(DropReason.NoRoute, result);
        Assert.Empty(harness.Take());
        Assert.Equal(1, harness.Stats[DropReason.NoRoute]);
    }

    [Fact]
    public void Broadcast_and_multicast_destinations_need_no_resolution()
    {
        var harness = new StackHarness();

        harness.SendFromStack(Ipv4Address.Broadcast, IpProtocol.Udp, Pattern(20));
        harness.SendFromStack(new Ipv4Address(10, 0, 0, 255), IpProtocol.Udp, Pattern(20));
        harness.SendFromStack(new Ipv4Address(239, 129, 2, 3), IpProtocol.Udp, Pattern(20));

        List<SentFrame> sent = harness.Take();
        Assert.Equal(3, sent.Count);
        Assert.Equal(MacAddress.Broadcast, ParseIpv4(sent[0].Bytes).EthernetDestination);
        Assert.Equal(MacAddress.Broadcast, ParseIpv4(sent[1].Bytes).EthernetDestination);
        Assert.Equal(MacAddress.Parse("01:00:5e:01:02:03"), ParseIpv4(sent[2].Bytes).EthernetDestination); // RFC 1112 §6.4
    }
}
