using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

/// <summary>The hot path (frame in, frame out) must not allocate: parse a SYN, answer with a SYN-ACK in place.</summary>
public class WireAllocationTests
{
    private static readonly byte[] s_syn = CapturedFrames.Bytes(CapturedFrames.TcpSyn);
    private static readonly byte[] s_echo = CapturedFrames.Bytes(CapturedFrames.IcmpEchoRequest);
    private static readonly byte[] s_arp = CapturedFrames.Bytes(CapturedFrames.ArpRequest);
    private static readonly byte[] s_udp = CapturedFrames.Bytes(CapturedFrames.UdpDatagram);
    private static readonly byte[] s_sack = CapturedFrames.Bytes(CapturedFrames.TcpSackAck);

    [Fact]
    public void Parsing_and_emitting_allocates_nothing()
    {
        byte[] transmit = new byte[1514];
        long check = RoundTrip(transmit); // warm up: JIT and static initialisation may allocate once

        long allocated = ThreadAllocations.Fewest(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                check += RoundTrip(transmit);
            }
        });

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, check);
    }

    private static long RoundTrip(Span<byte> transmit)
    {
        long check = 0;
        Assert.True(EthernetFrame.TryCreate(s_syn, out EthernetFrame ethernet));
        Assert.True(Ipv4Packet.TryCreate(ethernet.Payload, out Ipv4Packet ip, out _));
        Assert.True(ip.IsChecksumValid);
        Assert.True(TcpSegment.TryCreate(ip.Payload, out TcpSegment syn));
        Assert.True(syn.IsChecksumValid(ip.Source, ip.Destination));
        Assert.True(syn.TryGetOptions(out TcpOptions options));
        Assert.True(syn.TryToHeader(out TcpHeader header));
        foreach (TcpOption option in syn.EnumerateOptions())
        {
            check += option.Kind;
        }

        var reply = new TcpHeader(
            header.DestinationPort,
            header.SourcePort,
            new SeqNumber(12345),
            syn.SequenceNumber + 1,
            TcpFlags.Syn | TcpFlags.Ack,
            65535,
            new TcpOptions { Mss = 1460, SackPermitted = options.SackPermitted, Timestamps = new TcpTimestamps(1, options.Timestamps!.Value.TsVal), WindowScale = 7 });
        var replyIp = new Ipv4Header(ip.Destination, ip.Source, IpProtocol.Tcp, reply.Length, DontFragment: true);
        new EthernetHeader(ethernet.Source, ethernet.Destination, EtherType.Ipv4).WriteTo(transmit);
        replyIp.WriteTo(transmit[EthernetHeader.Length..]);
        reply.WriteTo(transmit.Slice(EthernetHeader.Length + Ipv4Header.Length, reply.Length), replyIp.Source, replyIp.Destination);

        Assert.True(Ipv4Packet.TryCreate(s_sack.AsSpan(14), out Ipv4Packet sackIp));
        Assert.True(TcpSegment.TryCreate(sackIp.Payload, out TcpSegment sack));
        Assert.True(sack.TryGetOptions(out TcpOptions sackOptions));
        check += sackOptions.GetSackBlock(0).Right - sackOptions.GetSackBlock(0).Left;

        Assert.True(EthernetFrame.TryCreate(s_echo, out EthernetFrame echoFrame));
        Assert.True(Ipv4Packet.TryCreate(echoFrame.Payload, out Ipv4Packet echoIp));
        Assert.True(IcmpPacket.TryCreate(echoIp.Payload, out IcmpPacket echo));
        Assert.True(echo.IsChecksumValid);
        Span<byte> icmpOut = transmit.Slice(34, echoIp.Payload.Length);
        echo.Data.CopyTo(icmpOut[IcmpHeader.Length..]);
        IcmpHeader.Echo(IcmpType.EchoReply, echo.EchoIdentifier, echo.EchoSequence).WriteTo(icmpOut);

        Assert.True(ArpPacket.TryCreate(s_arp.AsSpan(14), out ArpPacket arp));
        new ArpRepr(ArpOperation.Reply, MacAddress.FromUInt64(2), arp.TargetProtocolAddress, arp.SenderHardwareAddress, arp.SenderProtocolAddress)
            .WriteTo(transmit[14..]);

        Assert.True(Ipv4Packet.TryCreate(s_udp.AsSpan(14), out Ipv4Packet udpIp));
        Assert.True(UdpDatagram.TryCreate(udpIp.Payload, out UdpDatagram udp));
        Assert.True(udp.IsChecksumValid(udpIp.Source, udpIp.Destination));
        new UdpHeader(udp.DestinationPort, udp.SourcePort, udp.Payload.Length).WriteTo(transmit.Slice(34, UdpHeader.Length + udp.Payload.Length), udpIp.Destination, udpIp.Source);

        return check + transmit[20];
    }
}
