using System.Buffers.Binary;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

public class Ipv4ReceiveTests
{
    private const byte TestProtocol = IpProtocol.Udp;

    private static (StackHarness Harness, RecordingProtocol Protocol) Create()
    {
        var harness = new StackHarness();
        var protocol = new RecordingProtocol();
        harness.Stack.Interface.Register(TestProtocol, protocol);
        harness.LearnPeer();
        return (harness, protocol);
    }

    private static byte[] Datagram(int payloadLength = 16) => Ipv4(Header(TestProtocol, payloadLength), Pattern(payloadLength));

    private static byte[] Frame(byte[] datagram) => Ethernet(OurMac, PeerMac, EtherType.Ipv4, datagram);

    /// <summary>Edits a header field and fixes the checksum, so only the edit is wrong.</summary>
    private static byte[] Edited(Action<byte[]> edit)
    {
        byte[] datagram = Datagram();
        edit(datagram);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(10), 0);
        int headerLength = Math.Min(datagram.Length, Math.Max(20, (datagram[0] & 0xF) * 4));
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(10), Checksum.Compute(datagram.AsSpan(0, headerLength)));
        return datagram;
    }

    [Fact]
    public void Valid_datagram_reaches_its_protocol_with_header_and_payload()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();

        Assert.Equal(DropReason.Accepted, harness.Receive(Frame(Datagram(16))));

        RecordedDatagram datagram = Assert.Single(protocol.Datagrams);
        Assert.Equal(PeerIp, datagram.Source);
        Assert.Equal(OurIp, datagram.Destination);
        Assert.Equal(Pattern(16), datagram.Payload);
        Assert.Equal(Datagram(16)[..20], datagram.Header);
        Assert.False(datagram.IsBroadcast);
        Assert.False(datagram.IsLinkBroadcast);
    }

    [Fact]
    public void Protocol_verdict_is_the_frame_verdict()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        protocol.Verdict = DropReason.UdpNoListener;

        Assert.Equal(DropReason.UdpNoListener, harness.Receive(Frame(Datagram())));
        Assert.Equal(1, harness.Stats[DropReason.UdpNoListener]);
    }

    [Fact]
    public void Bad_header_checksum_is_dropped()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        byte[] datagram = Datagram();
        datagram[8] = 63; // TTL changed after the checksum was computed

        Assert.Equal(DropReason.Ipv4BadChecksum, harness.Receive(Frame(datagram)));
        Assert.Empty(protocol.Datagrams);
        Assert.Empty(harness.Take());
    }

    [Fact]
    public void Malformed_headers_are_dropped_with_their_reason()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();

        Assert.Equal(DropReason.Ipv4Truncated, harness.Receive(Frame(Datagram()[..19])));
        Assert.Equal(DropReason.Ipv4BadVersion, harness.Receive(Frame(Edited(d => d[0] = 0x65))));
        Assert.Equal(DropReason.Ipv4BadHeaderLength, harness.Receive(Frame(Edited(d => d[0] = 0x44))));
        Assert.Equal(DropReason.Ipv4Truncated, harness.Receive(Frame(Edited(d => d[0] = 0x4F))[..34]));
        Assert.Equal(DropReason.Ipv4BadTotalLength, harness.Receive(Frame(Edited(d => BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(2), 37)))));
        Assert.Equal(DropReason.Ipv4BadTotalLength, harness.Receive(Frame(Edited(d => BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(2), 19)))));

        Assert.Empty(protocol.Datagrams);
        Assert.Empty(harness.Take());
    }

    [Fact]
    public void Shorter_total_length_cuts_the_payload_there()
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();

        Assert.Equal(DropReason.Accepted, harness.Receive(Frame(Edited(d => BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(2), 30)))));

        Assert.Equal(Pattern(16)[..10], Assert.Single(protocol.Datagrams).Payload);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.0.255")]
    [InlineData("10.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("127.0.0.1")]
    [InlineData("240.0.0.1")]
    [InlineData("10.0.0.2")]
    public void Invalid_sources_are_dropped(string source)
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        byte[] datagram = Ipv4(Header(TestProtocol, 8, source: Ipv4Address.Parse(source)), Pattern(8));

        Assert.Equal(DropReason.Ipv4BadSource, harness.Receive(Frame(datagram)));
        Assert.Empty(protocol.Datagrams);
        Assert.Empty(harness.Take());
    }

    [Theory]
    [InlineData("10.0.0.3")]
    [InlineData("10.0.1.2")]
    [InlineData("192.0.2.2")]
    [InlineData("224.0.0.251")]
    public void Datagrams_for_other_addresses_are_not_for_us(string destination)
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        byte[] datagram = Ipv4(Header(TestProtocol, 8, destination: Ipv4Address.Parse(destination)), Pattern(8));

        Assert.Equal(DropReason.Ipv4NotForUs, harness.Receive(Frame(datagram)));
        Assert.Empty(protocol.Datagrams);
        Assert.Equal(1, harness.Stats[DropReason.Ipv4NotForUs]);
    }

    [Theory]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.0.255")]
    [InlineData("10.0.0.0")]
    public void Broadcasts_are_delivered_and_marked(string destination)
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        byte[] datagram = Ipv4(Header(TestProtocol, 8, destination: Ipv4Address.Parse(destination)), Pattern(8));

        Assert.Equal(DropReason.Accepted, harness.Receive(Ethernet(MacAddress.Broadcast, PeerMac, EtherType.Ipv4, datagram)));

        RecordedDatagram delivered = Assert.Single(protocol.Datagrams);
        Assert.True(delivered.IsBroadcast);
        Assert.True(delivered.IsLinkBroadcast);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Low_TTL_is_accepted_by_a_host(byte ttl)
    {
        (StackHarness harness, RecordingProtocol protocol) = Create();
        byte[] datagram = Ipv4(Header(TestProtocol, 8) with { Ttl = ttl }, Pattern(8));

        Assert.Equal(DropReason.Accepted, harness.Receive(Frame(datagram)));
        Assert.Equal(ttl, Assert.Single(protocol.Datagrams).Ttl);
    }

    [Fact]
    public void Datagrams_we_originate_carry_our_address_TTL_and_distinct_identifications()
    {
        var harness = new StackHarness(new StackOptions { Seed = StackHarness.Seed, SendGratuitousArp = false, DefaultTtl = 77 });
        harness.LearnPeer();

        harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(10));
        harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(10));

        List<ParsedIpv4> sent = harness.Take().Select(f => ParseIpv4(f.Bytes)).ToList();
        Assert.All(sent, p => Assert.Equal(77, p.Header.Ttl));
        Assert.All(sent, p => Assert.Equal(OurIp, p.Header.Source));
        Assert.Equal((ushort)(sent[0].Header.Identification + 1), sent[1].Header.Identification);
    }

    [Fact]
    public void Identification_start_depends_on_the_seed_only()
    {
        static ushort FirstId(ulong seed)
        {
            var harness = new StackHarness(new StackOptions { Seed = seed, SendGratuitousArp = false });
            harness.LearnPeer();
            harness.SendFromStack(PeerIp, IpProtocol.Udp, Pattern(10));
            return ParseIpv4(Assert.Single(harness.Take()).Bytes).Header.Identification;
        }

        Assert.Equal(FirstId(1), FirstId(1));
        Assert.NotEqual(FirstId(1), FirstId(2));
    }

    [Fact]
    public void Begin_and_commit_build_a_datagram_in_place_with_DF_and_ECN()
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        Span<byte> payload = harness.Stack.Interface.BeginIpv4(PeerIp, IpProtocol.Tcp, dontFragment: true, ecn: 2);
        Assert.Equal(65515, payload.Length);
        Pattern(40).CopyTo(payload);
        DropReason result = harness.Stack.Interface.CommitIpv4(40, TxReason.TcpNewData, harness.Now, harness.Sink);

        Assert.Equal(DropReason.Accepted, result);
        ParsedIpv4 sent = ParseIpv4(Assert.Single(harness.Take()).Bytes);
        Assert.True(sent.Header.DontFragment);
        Assert.Equal(2, sent.Header.Ecn);
        Assert.Equal(IpProtocol.Tcp, sent.Header.Protocol);
        Assert.Equal(Pattern(40), sent.Payload);
    }

    [Fact]
    public void Misusing_begin_and_commit_throws_a_clear_exception()
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        InvalidOperationException noBegin = Assert.Throws<InvalidOperationException>(() => harness.Stack.Interface.CommitIpv4(10, TxReason.UdpData, harness.Now, harness.Sink));
        Assert.Contains("BeginIpv4", noBegin.Message, StringComparison.Ordinal);

        harness.Stack.Interface.BeginIpv4(PeerIp, IpProtocol.Tcp, dontFragment: true);
        ArgumentException tooBig = Assert.Throws<ArgumentException>(() => harness.Stack.Interface.CommitIpv4(1481, TxReason.TcpNewData, harness.Now, harness.Sink));
        Assert.Contains("1480", tooBig.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sending_to_ourselves_has_no_route()
    {
        var harness = new StackHarness();

        Assert.Equal(DropReason.NoRoute, harness.SendFromStack(OurIp, IpProtocol.Udp, Pattern(4)));
        Assert.Equal(DropReason.NoRoute, harness.SendFromStack(new Ipv4Address(127, 0, 0, 1), IpProtocol.Udp, Pattern(4)));
        Assert.Empty(harness.Take());
    }
}
