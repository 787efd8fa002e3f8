using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class IcmpPacketTests
{
    [Fact]
    public void Parses_captured_echo_request()
    {
        Assert.True(Ipv4Packet.TryCreate(CapturedFrames.IpBytes(CapturedFrames.IcmpEchoRequest), out Ipv4Packet ip));
        Assert.True(IcmpPacket.TryCreate(ip.Payload, out IcmpPacket icmp));

        Assert.Equal(IcmpType.EchoRequest, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x0851, icmp.Checksum);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(0x1a49, icmp.EchoIdentifier);
        Assert.Equal(1, icmp.EchoSequence);
        Assert.Equal(56, icmp.Data.Length);
        Assert.Equal(0x10, icmp.Data[16]);
        Assert.Equal(0x37, icmp.Data[55]);
        Assert.False(icmp.TryGetQuoted(out _, out _, out _, out _));
        Assert.Equal("ICMP echo request id=6729 seq=1 len=56", icmp.ToString());
    }

    [Fact]
    public void Parses_captured_port_unreachable_and_its_quoted_datagram()
    {
        Assert.True(Ipv4Packet.TryCreate(CapturedFrames.IpBytes(CapturedFrames.IcmpPortUnreachable), out Ipv4Packet ip));
        Assert.True(IcmpPacket.TryCreate(ip.Payload, out IcmpPacket icmp));

        Assert.Equal(48, ip.Dscp); // Linux sends ICMP errors with precedence 6 (tos 0xc0)
        Assert.Equal(IcmpType.DestinationUnreachable, icmp.Type);
        Assert.Equal(IcmpUnreachableCode.Port, icmp.Code);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(0u, icmp.RestOfHeader);

        Assert.True(icmp.TryGetQuoted(out Ipv4Address source, out Ipv4Address destination, out byte protocol, out ReadOnlySpan<byte> prefix));
        Assert.Equal(new Ipv4Address(10, 0, 0, 1), source);
        Assert.Equal(new Ipv4Address(10, 0, 0, 2), destination);
        Assert.Equal(IpProtocol.Udp, protocol);

        // Linux quotes the whole 16-byte UDP datagram, which is exactly what was sent.
        Assert.Equal(CapturedFrames.IpBytes(CapturedFrames.UdpToClosedPort)[20..], prefix.ToArray());
        Assert.Equal("ICMP port unreachable quoting UDP 10.0.0.1:40000 > 10.0.0.2:9", icmp.ToString());
    }

    [Theory]
    [InlineData(CapturedFrames.IcmpEchoRequest)]
    [InlineData(CapturedFrames.IcmpPortUnreachable)]
    public void Header_round_trips_byte_for_byte(string hex)
    {
        byte[] message = CapturedFrames.IpBytes(hex)[20..];
        Assert.True(IcmpPacket.TryCreate(message, out IcmpPacket icmp));
        IcmpHeader header = icmp.ToHeader();

        byte[] rebuilt = (byte[])message.Clone();
        rebuilt.AsSpan(0, IcmpHeader.Length).Fill(0xAA);
        header.WriteTo(rebuilt);

        Assert.Equal(message, rebuilt);
    }

    [Fact]
    public void Echo_and_unreachable_factories_place_their_fields()
    {
        Assert.Equal(new IcmpHeader(IcmpType.EchoReply, 0, 0x1a490001), IcmpHeader.Echo(IcmpType.EchoReply, 0x1a49, 1));
        Assert.Equal(new IcmpHeader(3, 4, 1400), IcmpHeader.Unreachable(IcmpUnreachableCode.FragmentationNeeded, 1400));

        byte[] packet = new byte[8 + 28];
        IcmpHeader.Unreachable(IcmpUnreachableCode.FragmentationNeeded, 1400).WriteTo(packet);

        Assert.True(IcmpPacket.TryCreate(packet, out IcmpPacket icmp));
        Assert.Equal(1400, icmp.NextHopMtu);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal("ICMP frag needed mtu=1400", icmp.ToHeader().ToString());
    }

    [Fact]
    public void Quoted_header_must_be_complete_and_plausible()
    {
        byte[] message = CapturedFrames.IpBytes(CapturedFrames.IcmpPortUnreachable)[20..];

        Assert.True(IcmpPacket.TryCreate(message.AsSpan(0, 8 + 20), out IcmpPacket headerOnly));
        Assert.True(headerOnly.TryGetQuoted(out _, out _, out _, out ReadOnlySpan<byte> empty));
        Assert.True(empty.IsEmpty);

        Assert.True(IcmpPacket.TryCreate(message.AsSpan(0, 8 + 19), out IcmpPacket cut));
        Assert.False(cut.TryGetQuoted(out _, out _, out _, out _));

        byte[] badVersion = (byte[])message.Clone();
        badVersion[8] = 0x65;
        Assert.True(IcmpPacket.TryCreate(badVersion, out IcmpPacket v6));
        Assert.False(v6.TryGetQuoted(out _, out _, out _, out _));

        byte[] longIhl = (byte[])message.Clone();
        longIhl[8] = 0x4f; // claims 60 header bytes, only 36 quoted
        Assert.True(IcmpPacket.TryCreate(longIhl, out IcmpPacket ihl));
        Assert.False(ihl.TryGetQuoted(out _, out _, out _, out _));
    }

    [Fact]
    public void Rejects_fewer_than_eight_bytes()
    {
        byte[] message = CapturedFrames.IpBytes(CapturedFrames.IcmpEchoRequest)[20..];

        Assert.False(IcmpPacket.TryCreate(message.AsSpan(0, 7), out _));
        Assert.True(IcmpPacket.TryCreate(message.AsSpan(0, 8), out IcmpPacket bare));
        Assert.True(bare.Data.IsEmpty);
    }

    [Fact]
    public void Detects_a_corrupted_checksum()
    {
        byte[] message = CapturedFrames.IpBytes(CapturedFrames.IcmpEchoRequest)[20..];
        message[^1] ^= 0x01;

        Assert.True(IcmpPacket.TryCreate(message, out IcmpPacket icmp));
        Assert.False(icmp.IsChecksumValid);
    }
}
