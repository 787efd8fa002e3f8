using System.Buffers.Binary;
using TinyStack.Interface;
using TinyStack.Tests.Wire;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

public class IcmpErrorTests
{
    private const byte UnknownProtocol = 253; // RFC 3692 experimentation

    private static byte[] UnknownProtocolFrame(int payloadLength = 16, Ipv4Address? destination = null, MacAddress? ethernetDestination = null) =>
        Ipv4Frame(Header(UnknownProtocol, payloadLength, destination: destination), Pattern(payloadLength), ethernetDestination);

    [Fact]
    public void Protocol_unreachable_has_the_layout_of_the_kernels_port_unreachable()
    {
        // Nothing is registered for UDP yet, so the captured datagram to a closed UDP port gets
        // protocol unreachable. Linux answered it with port unreachable; the two differ only in
        // the code (and so the ICMP checksum) and in the random IP identification.
        var harness = new StackHarness();
        harness.LearnPeer();

        Assert.Equal(DropReason.Ipv4UnknownProtocol, harness.Receive(CapturedFrames.UdpToClosedPort));

        SentFrame sent = Assert.Single(harness.Take());
        Assert.Equal(TxReason.IcmpError, sent.Note.Reason);
        byte[] expected = CapturedFrames.Bytes(CapturedFrames.IcmpPortUnreachable);
        expected[14 + 20 + 1] = IcmpUnreachableCode.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(14 + 20 + 2), 0x1122); // 0x1121 with code 3 -> 2
        sent.Bytes.AsSpan(18, 2).CopyTo(expected.AsSpan(18)); // IP identification
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(24), 0);
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(24), Checksum.Compute(expected.AsSpan(14, 20)));
        Assert.Equal(Convert.ToHexStringLower(expected), sent.Hex);
        Assert.True(ParseIpv4(sent.Bytes).IcmpChecksumValid);
        Assert.Equal(1, harness.Stats[StatCounter.IcmpErrorsSent]);
        Assert.Equal(1, harness.Stats[DropReason.Ipv4UnknownProtocol]);
    }

    [Fact]
    public void Error_quotes_at_most_576_bytes_of_datagram()
    {
        var harness = new StackHarness();
        harness.LearnPeer();
        byte[] frame = UnknownProtocolFrame(1400);

        harness.Receive(frame);

        ParsedIpv4 error = ParseIpv4(Assert.Single(harness.Take()).Bytes);
        Assert.Equal(TinyStack.Interface.Icmp.MaxErrorDatagramLength, error.Header.TotalLength);
        Assert.Equal(frame.AsSpan(14, 576 - 28).ToArray(), error.IcmpData);
        Assert.Equal(48, error.Header.Dscp); // precedence 6, RFC 1812 §4.3.2.5
        Assert.False(error.Header.DontFragment);
    }

    [Fact]
    public void No_error_for_a_datagram_to_a_broadcast_address()
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        Assert.Equal(DropReason.Ipv4UnknownProtocol, harness.Receive(UnknownProtocolFrame(destination: new Ipv4Address(10, 0, 0, 255), ethernetDestination: MacAddress.Broadcast)));
        Assert.Empty(harness.Take());
    }

    [Fact]
    public void No_error_for_a_datagram_sent_as_link_layer_broadcast()
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        Assert.Equal(DropReason.Ipv4UnknownProtocol, harness.Receive(UnknownProtocolFrame(ethernetDestination: MacAddress.Broadcast)));
        Assert.Empty(harness.Take());
    }

    [Fact]
    public void Errors_are_rate_limited_by_a_token_bucket()
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        for (int i = 0; i < 8; i++)
        {
            harness.Receive(UnknownProtocolFrame());
        }

        Assert.Equal(6, harness.Take().Count); // the burst
        Assert.Equal(2, harness.Stats[DropReason.IcmpRateLimited]);

        harness.Advance(Duration.FromMilliseconds(999));
        harness.Receive(UnknownProtocolFrame());
        Assert.Empty(harness.Take());

        harness.Advance(Duration.FromMilliseconds(1));
        harness.Receive(UnknownProtocolFrame());
        harness.Receive(UnknownProtocolFrame());
        Assert.Single(harness.Take()); // one token a second

        harness.Advance(Duration.FromSeconds(60));
        for (int i = 0; i < 10; i++)
        {
            harness.Receive(UnknownProtocolFrame());
        }

        // Refilled to the burst, no more. (The peer's ARP entry went stale meanwhile, so the
        // first error also sent a unicast ARP probe.)
        Assert.Equal(6, harness.Take().Count(f => f.Note.Reason == TxReason.IcmpError));
    }

    [Fact]
    public void Echo_replies_are_not_rate_limited()
    {
        var harness = new StackHarness();
        harness.LearnPeer();

        for (int i = 0; i < 50; i++)
        {
            harness.Receive(EchoRequestFrame(1, (ushort)i, Pattern(8)));
        }

        Assert.Equal(50, harness.Take().Count);
    }

    [Fact]
    public void Received_error_quoting_our_datagram_reaches_the_protocol_that_sent_it()
    {
        var harness = new StackHarness();
        var udp = new RecordingProtocol();
        harness.Stack.Interface.Register(IpProtocol.Udp, udp);
        harness.LearnPeer();
        var router = new Ipv4Address(10, 0, 0, 1);
        byte[] ours = Ipv4(new Ipv4Header(OurIp, new Ipv4Address(192, 0, 2, 9), IpProtocol.Udp, 8), Pattern(8));
        byte[] error = Icmp(IcmpType.DestinationUnreachable, IcmpUnreachableCode.FragmentationNeeded, 1400, ours);

        Assert.Equal(DropReason.Accepted, harness.Receive(Ipv4Frame(Header(IpProtocol.Icmp, error.Length, source: router), error)));

        RecordedIcmpError delivered = Assert.Single(udp.Errors);
        Assert.Equal(router, delivered.Reporter);
        Assert.Equal(IcmpUnreachableCode.FragmentationNeeded, delivered.Code);
        Assert.Equal(1400u, delivered.RestOfHeader);
        Assert.Equal(new Ipv4Address(192, 0, 2, 9), delivered.QuotedDestination);
        Assert.Equal(Pattern(8), delivered.TransportPrefix);
        Assert.False(delivered.IsLocal);
        Assert.Empty(harness.Take()); // never an error about an error
    }

    [Fact]
    public void Received_errors_that_are_not_about_our_datagrams_are_ignored()
    {
        var harness = new StackHarness();
        var udp = new RecordingProtocol();
        harness.Stack.Interface.Register(IpProtocol.Udp, udp);
        harness.LearnPeer();

        byte[] foreign = Ipv4(new Ipv4Header(new Ipv4Address(10, 0, 0, 5), PeerIp, IpProtocol.Udp, 8), Pattern(8));
        byte[] aboutForeign = Icmp(IcmpType.DestinationUnreachable, IcmpUnreachableCode.Port, 0, foreign);
        const byte Sctp = 132; // no handler: TinyStack has no SCTP
        byte[] sctp = Ipv4(new Ipv4Header(OurIp, PeerIp, Sctp, 8), Pattern(8));
        byte[] aboutUnregistered = Icmp(IcmpType.TimeExceeded, 0, 0, sctp);
        byte[] ours = Ipv4(new Ipv4Header(OurIp, PeerIp, IpProtocol.Udp, 8), Pattern(8));
        byte[] sourceQuench = Icmp(4, 0, 0, ours);
        byte[] truncatedQuote = Icmp(IcmpType.DestinationUnreachable, IcmpUnreachableCode.Port, 0, ours.AsSpan(0, 12));

        foreach (byte[] message in new[] { aboutForeign, aboutUnregistered, sourceQuench, truncatedQuote })
        {
            Assert.Equal(DropReason.IcmpErrorIgnored, harness.Receive(Ipv4Frame(Header(IpProtocol.Icmp, message.Length), message)));
        }

        Assert.Empty(udp.Errors);
        Assert.Empty(harness.Take());
        Assert.Equal(4, harness.Stats[StatCounter.IcmpErrorsReceived]);
    }

    [Fact]
    public void UDP_can_send_port_unreachable_through_the_hook_under_the_same_rules()
    {
        var harness = new StackHarness();
        var udp = new PortUnreachableProtocol(harness.Stack.Interface.Icmp);
        harness.Stack.Interface.Register(IpProtocol.Udp, udp);
        harness.LearnPeer();

        Assert.Equal(DropReason.UdpNoListener, harness.Receive(CapturedFrames.UdpToClosedPort));
        ParsedIpv4 error = ParseIpv4(Assert.Single(harness.Take()).Bytes);
        Assert.Equal(IcmpUnreachableCode.Port, error.Icmp.Code);
        Assert.Equal(CapturedFrames.IpBytes(CapturedFrames.UdpToClosedPort), error.IcmpData);

        // To a broadcast address: no error (RFC 1122 §3.2.2).
        byte[] broadcast = Ipv4(Header(IpProtocol.Udp, 8, destination: Ipv4Address.Broadcast), Pattern(8));
        Assert.Equal(DropReason.UdpNoListener, harness.Receive(Ethernet(MacAddress.Broadcast, PeerMac, EtherType.Ipv4, broadcast)));
        Assert.Empty(harness.Take());
        Assert.Equal([true, false], udp.Sent);
    }

    private sealed class PortUnreachableProtocol(Icmp icmp) : IIpProtocolHandler
    {
        public List<bool> Sent { get; } = [];

        public Instant NextDeadline => Instant.MaxValue;

        public DropReason HandleDatagram(in Ipv4Datagram datagram, Instant now, IFrameSink tx)
        {
            Sent.Add(icmp.SendError(IcmpType.DestinationUnreachable, IcmpUnreachableCode.Port, 0, datagram, now, tx));
            return DropReason.UdpNoListener;
        }

        public bool HandleIcmpError(in IcmpErrorMessage error, Instant now, IFrameSink tx) => false;

        public void Poll(Instant now, IFrameSink tx)
        {
        }
    }
}
