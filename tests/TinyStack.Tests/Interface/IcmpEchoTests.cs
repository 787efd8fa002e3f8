using System.Buffers.Binary;
using TinyStack.Tests.Wire;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

public class IcmpEchoTests
{
    [Fact]
    public void Captured_ping_gets_the_exact_reply()
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        DropReason verdict = harness.Receive(CapturedFrames.IcmpEchoRequest);

        Assert.Equal(DropReason.Accepted, verdict);
        SentFrame reply = Assert.Single(harness.Take());
        Assert.Equal(TxReason.EchoReply, reply.Note.Reason);

        // Everything is fixed but the IP Identification, which is random by design (RFC 7739):
        // take it from the reply and compute the header checksum it implies independently.
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(reply.Bytes.AsSpan(18));
        string data = CapturedFrames.IcmpEchoRequest[^112..];
        string ipHeader = $"45000054{id:x4}000040010000" + "0a0000020a000001";
        ushort ipChecksum = Checksum.Compute(Convert.FromHexString(ipHeader));
        ipHeader = $"45000054{id:x4}00004001{ipChecksum:x4}0a0000020a000001";
        string expected = "020000000001" + "020000000002" + "0800" + ipHeader + "00001051" + "1a490001" + data;
        Assert.Equal(expected, reply.Hex);
        Assert.Equal(1, harness.Stats[StatCounter.IcmpEchoRepliesSent]);
    }

    [Fact]
    public void Reply_mirrors_identifier_sequence_and_data_with_valid_checksums()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        byte[] data = Pattern(1000);

        harness.Receive(EchoRequestFrame(0xBEEF, 0x0102, data));

        ParsedIpv4 reply = ParseIpv4(Assert.Single(harness.Take()).Bytes);
        Assert.Equal(PeerMac, reply.EthernetDestination);
        Assert.Equal(OurIp, reply.Header.Source);
        Assert.Equal(PeerIp, reply.Header.Destination);
        Assert.Equal(IpProtocol.Icmp, reply.Header.Protocol);
        Assert.Equal(64, reply.Header.Ttl);
        Assert.False(reply.Header.DontFragment);
        Assert.Equal(IcmpHeader.Echo(IcmpType.EchoReply, 0xBEEF, 0x0102).RestOfHeader, reply.Icmp.RestOfHeader);
        Assert.Equal(IcmpType.EchoReply, reply.Icmp.Type);
        Assert.True(reply.IcmpChecksumValid);
        Assert.Equal(data, reply.IcmpData);
    }

    [Fact]
    public void Reply_keeps_the_request_DSCP_but_not_its_ECN()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        byte[] icmp = EchoRequest(1, 1, Pattern(8));

        harness.Receive(Ipv4Frame(Header(IpProtocol.Icmp, icmp.Length) with { Dscp = 46, Ecn = 2 }, icmp));

        ParsedIpv4 reply = ParseIpv4(Assert.Single(harness.Take()).Bytes);
        Assert.Equal(46, reply.Header.Dscp);
        Assert.Equal(0, reply.Header.Ecn);
    }

    [Fact]
    public void Ping_from_an_unknown_peer_waits_for_ARP_then_is_answered()
    {
        var harness = new StackHarness();

        harness.Receive(EchoRequestFrame(7, 1, Pattern(32)));
        ArpRepr request = ParseArp(Assert.Single(harness.Take()).Bytes, out _);
        Assert.Equal(PeerIp, request.TargetProtocolAddress);

        harness.Receive(ArpReplyTo(PeerIp, PeerMac));
        SentFrame reply = Assert.Single(harness.Take());
        Assert.Equal(new TxNote(TxReason.EchoReply, WaitedForArp: true), reply.Note);
        Assert.Equal(Pattern(32), ParseIpv4(reply.Bytes).IcmpData);
    }

    [Fact]
    public void Ethernet_padding_after_the_datagram_is_ignored()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        byte[] frame = EchoRequestFrame(1, 1, [0xAB]);
        byte[] padded = [.. frame, .. Enumerable.Repeat((byte)0xEE, 60 - frame.Length)];

        Assert.Equal(DropReason.Accepted, harness.Receive(padded));

        ParsedIpv4 reply = ParseIpv4(Assert.Single(harness.Take()).Bytes);
        Assert.Equal([0xAB], reply.IcmpData);
        Assert.True(reply.IcmpChecksumValid);
    }

    [Fact]
    public void Request_with_IP_options_is_answered()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        byte[] icmp = EchoRequest(2, 9, Pattern(16));
        byte[] header = new byte[24];
        Header(IpProtocol.Icmp, icmp.Length + 4).WriteTo(header);
        header[0] = 0x46; // IHL 6: four bytes of options
        header[20] = 1; // NOP
        header[21] = 1;
        header[22] = 1;
        header[23] = 0; // end of options
        header[10] = 0;
        header[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), Checksum.Compute(header));

        Assert.Equal(DropReason.Accepted, harness.Receive(Ethernet(OurMac, PeerMac, EtherType.Ipv4, [.. header, .. icmp])));

        Assert.Equal(Pattern(16), ParseIpv4(Assert.Single(harness.Take()).Bytes).IcmpData);
    }

    [Theory]
    [InlineData(4000)]
    [InlineData(65000)]
    [InlineData(65507)] // the largest: 65535 - 20 (IP) - 8 (ICMP)
    public void Large_ping_in_shuffled_duplicated_fragments_gets_a_fragmented_reply(int size)
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        byte[] data = Pattern(size, seed: size);
        byte[] icmp = EchoRequest(0x4242, 7, data);
        List<byte[]> fragments = Fragments(Header(IpProtocol.Icmp, icmp.Length, identification: 0x7777), icmp);
        List<byte[]> order = ShuffleWithDuplicates(fragments, new Random(size));

        for (int i = 0; i < order.Count - 1; i++)
        {
            DropReason verdict = harness.Receive(order[i]);
            Assert.True(verdict is DropReason.Ipv4FragmentQueued or DropReason.Ipv4FragmentDuplicate, $"fragment {i}: {verdict}");
            Assert.Empty(harness.Sink.Frames);
        }

        Assert.Equal(DropReason.Accepted, harness.Receive(order[^1]));

        List<SentFrame> sent = harness.Take();
        Assert.Equal((icmp.Length + 1479) / 1480, sent.Count);
        Assert.Equal(TxReason.EchoReply, sent[0].Note.Reason);
        Assert.All(sent.Skip(1), f => Assert.Equal(TxReason.Fragment, f.Note.Reason));
        (Ipv4Header header, byte[] payload) = Reassemble(sent);
        Assert.Equal(PeerIp, header.Destination);
        Assert.True(IcmpPacket.TryCreate(payload, out IcmpPacket reply));
        Assert.True(reply.IsChecksumValid);
        Assert.Equal(IcmpType.EchoReply, reply.Type);
        Assert.Equal(0x4242, reply.EchoIdentifier);
        Assert.Equal(7, reply.EchoSequence);
        Assert.True(reply.Data.SequenceEqual(data));
        Assert.Equal(0, harness.Stack.Interface.Reassembler.MemoryUsed);
        Assert.Equal(1, harness.Stats[StatCounter.DatagramsReassembled]);
        Assert.Equal(1, harness.Stats[StatCounter.DatagramsFragmented]);
        Assert.Equal(sent.Count, harness.Stats[StatCounter.FragmentsSent]);
    }

    [Fact]
    public void Captured_fragmented_ping_over_a_68_byte_MTU_is_answered_in_the_same_pieces()
    {
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, Mtu = 68 });
        harness.LearnPeer();

        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(CapturedFrames.FragmentLast));
        Assert.Equal(DropReason.Ipv4FragmentQueued, harness.Receive(CapturedFrames.FragmentFirst));
        Assert.Equal(DropReason.Accepted, harness.Receive(CapturedFrames.FragmentMiddle));

        List<SentFrame> sent = harness.Take();
        Assert.Equal([48, 48, 12], sent.Select(f => ParseIpv4(f.Bytes).Payload.Length));
        (_, byte[] payload) = Reassemble(sent, mtu: 68);
        Assert.True(IcmpPacket.TryCreate(payload, out IcmpPacket reply));
        Assert.True(reply.IsChecksumValid);
        Assert.Equal(0x1a4c, reply.EchoIdentifier);
        byte[] requestData = [.. CapturedFrames.IpBytes(CapturedFrames.FragmentFirst)[28..], .. CapturedFrames.IpBytes(CapturedFrames.FragmentMiddle)[20..], .. CapturedFrames.IpBytes(CapturedFrames.FragmentLast)[20..]];
        Assert.Equal(100, requestData.Length);
        Assert.True(reply.Data.SequenceEqual(requestData));
    }

    [Theory]
    [InlineData("10.0.0.255")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.0.0")]
    public void Broadcast_ping_is_ignored_like_Linux(string destination)
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        DropReason verdict = harness.Receive(EchoRequestFrame(1, 1, Pattern(8), destination: Ipv4Address.Parse(destination), ethernetDestination: MacAddress.Broadcast));

        Assert.Equal(DropReason.IcmpBroadcastEchoIgnored, verdict);
        Assert.Empty(harness.Take());
        Assert.Equal(1, harness.Stats[DropReason.IcmpBroadcastEchoIgnored]);
    }

    [Fact]
    public void Broadcast_ping_is_answered_from_our_own_address_when_enabled()
    {
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, IcmpEchoIgnoreBroadcasts = false });
        harness.LearnPeer();

        harness.Receive(EchoRequestFrame(1, 1, Pattern(8), destination: Ipv4Address.Broadcast, ethernetDestination: MacAddress.Broadcast));

        ParsedIpv4 reply = ParseIpv4(Assert.Single(harness.Take()).Bytes);
        Assert.Equal(OurIp, reply.Header.Source);
        Assert.Equal(PeerMac, reply.EthernetDestination);
    }

    [Fact]
    public void Unicast_ping_in_a_broadcast_frame_is_answered()
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        Assert.Equal(DropReason.Accepted, harness.Receive(EchoRequestFrame(1, 1, Pattern(8), ethernetDestination: MacAddress.Broadcast)));
        Assert.Single(harness.Take());
    }

    [Fact]
    public void Bad_ICMP_is_dropped_and_counted()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        byte[] icmp = EchoRequest(1, 1, Pattern(8));
        icmp[^1] ^= 0x40;

        Assert.Equal(DropReason.IcmpBadChecksum, harness.Receive(Ipv4Frame(Header(IpProtocol.Icmp, icmp.Length), icmp)));
        Assert.Equal(DropReason.IcmpTruncated, harness.Receive(Ipv4Frame(Header(IpProtocol.Icmp, 7), icmp.AsSpan(0, 7))));
        byte[] echoReply = Icmp(IcmpType.EchoReply, 0, 0x00010001, Pattern(8));
        Assert.Equal(DropReason.IcmpUnsupportedType, harness.Receive(Ipv4Frame(Header(IpProtocol.Icmp, echoReply.Length), echoReply)));

        Assert.Empty(harness.Take());
        Assert.Equal(1, harness.Stats[DropReason.IcmpBadChecksum]);
        Assert.Equal(1, harness.Stats[DropReason.IcmpTruncated]);
        Assert.Equal(1, harness.Stats[DropReason.IcmpUnsupportedType]);
    }

    /// <summary>A random order in which some fragments also appear a second time, the last one completing the datagram.</summary>
    internal static List<byte[]> ShuffleWithDuplicates(List<byte[]> fragments, Random random)
    {
        List<byte[]> order = [.. fragments];
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(order));
        byte[] last = order[^1];
        order.RemoveAt(order.Count - 1);
        int duplicates = Math.Max(1, order.Count / 4);
        for (int i = 0; i < duplicates && order.Count > 0; i++)
        {
            int original = random.Next(order.Count);
            order.Insert(random.Next(original + 1, order.Count + 1), order[original]);
        }

        order.Add(last);
        return order;
    }
}
