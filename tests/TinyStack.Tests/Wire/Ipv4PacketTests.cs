using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class Ipv4PacketTests
{
    private static readonly Ipv4Address s_ip1 = new(10, 0, 0, 1);
    private static readonly Ipv4Address s_ip2 = new(10, 0, 0, 2);

    [Fact]
    public void Parses_captured_echo_request_datagram()
    {
        byte[] data = CapturedFrames.IpBytes(CapturedFrames.IcmpEchoRequest);

        Assert.True(Ipv4Packet.TryCreate(data, out Ipv4Packet ip, out DropReason error));

        Assert.Equal(DropReason.Accepted, error);
        Assert.Equal(4, ip.Version);
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(0, ip.Dscp);
        Assert.Equal(0, ip.Ecn);
        Assert.Equal(84, ip.TotalLength);
        Assert.Equal(0xf4e4, ip.Identification);
        Assert.True(ip.DontFragment);
        Assert.False(ip.MoreFragments);
        Assert.Equal(0, ip.FragmentOffset);
        Assert.False(ip.IsFragment);
        Assert.Equal(64, ip.Ttl);
        Assert.Equal(IpProtocol.Icmp, ip.Protocol);
        Assert.Equal(0x31c2, ip.HeaderChecksum);
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(s_ip1, ip.Source);
        Assert.Equal(s_ip2, ip.Destination);
        Assert.True(ip.Options.IsEmpty);
        Assert.Equal(data[..20], ip.Header.ToArray());
        Assert.Equal(data[20..], ip.Payload.ToArray());
    }

    [Fact]
    public void Parses_the_three_captured_fragments()
    {
        Assert.True(Ipv4Packet.TryCreate(CapturedFrames.IpBytes(CapturedFrames.FragmentFirst), out Ipv4Packet first));
        Assert.True(Ipv4Packet.TryCreate(CapturedFrames.IpBytes(CapturedFrames.FragmentMiddle), out Ipv4Packet middle));
        Assert.True(Ipv4Packet.TryCreate(CapturedFrames.IpBytes(CapturedFrames.FragmentLast), out Ipv4Packet last));

        Assert.Equal((true, true, 0, 48, false), (first.IsFragment, first.MoreFragments, first.FragmentOffset, first.Payload.Length, first.DontFragment));
        Assert.Equal((true, true, 48, 48), (middle.IsFragment, middle.MoreFragments, middle.FragmentOffset, middle.Payload.Length));
        Assert.Equal((true, false, 96, 12), (last.IsFragment, last.MoreFragments, last.FragmentOffset, last.Payload.Length));
        Assert.Equal(0xf4e6, first.Identification);
        Assert.Equal(first.Identification, middle.Identification);
        Assert.Equal(first.Identification, last.Identification);
        Assert.True(first.IsChecksumValid && middle.IsChecksumValid && last.IsChecksumValid);

        // Reassembled, the pieces are ping's 108-byte ICMP message: 8 header bytes and 100 data bytes.
        byte[] whole = [.. first.Payload, .. middle.Payload, .. last.Payload];
        Assert.True(IcmpPacket.TryCreate(whole, out IcmpPacket icmp));
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(100, icmp.Data.Length);
    }

    [Theory]
    [InlineData(CapturedFrames.IcmpEchoRequest)]
    [InlineData(CapturedFrames.FragmentFirst)]
    [InlineData(CapturedFrames.FragmentMiddle)]
    [InlineData(CapturedFrames.FragmentLast)]
    [InlineData(CapturedFrames.TcpSyn)]
    [InlineData(CapturedFrames.TcpSynAck)]
    [InlineData(CapturedFrames.UdpDatagram)]
    [InlineData(CapturedFrames.IcmpPortUnreachable)]
    public void Header_round_trips_byte_for_byte(string hex)
    {
        byte[] data = CapturedFrames.IpBytes(hex);
        Assert.True(Ipv4Packet.TryCreate(data, out Ipv4Packet ip));

        byte[] written = new byte[Ipv4Header.Length];
        ip.ToHeader().WriteTo(written);

        Assert.Equal(data[..20], written);
    }

    [Fact]
    public void Excludes_ethernet_padding_from_the_payload()
    {
        // The 50-byte UDP frame padded to Ethernet's 60-byte minimum.
        byte[] data = [.. CapturedFrames.IpBytes(CapturedFrames.UdpToClosedPort), .. new byte[10]];

        Assert.True(Ipv4Packet.TryCreate(data, out Ipv4Packet ip));

        Assert.Equal(36, ip.TotalLength);
        Assert.Equal(16, ip.Payload.Length);
        Assert.Equal(36, ip.Bytes.Length);
    }

    [Fact]
    public void Reports_why_a_datagram_is_rejected()
    {
        byte[] good = CapturedFrames.IpBytes(CapturedFrames.IcmpEchoRequest);

        Assert.Equal(DropReason.Ipv4Truncated, Reject(good[..19]));
        Assert.Equal(DropReason.Ipv4BadVersion, Reject(With(good, 0, 0x65)));
        Assert.Equal(DropReason.Ipv4BadHeaderLength, Reject(With(good, 0, 0x44)));
        Assert.Equal(DropReason.Ipv4Truncated, Reject(With(good, 0, 0x4f)[..50]));
        Assert.Equal(DropReason.Ipv4BadTotalLength, Reject(With(good, 3, 19)));
        Assert.Equal(DropReason.Ipv4BadTotalLength, Reject(With(good, 3, 85)));
        Assert.Equal(DropReason.Ipv4BadTotalLength, Reject(good[..83]));
    }

    [Fact]
    public void Reads_options_when_ihl_is_larger_than_five()
    {
        // IHL 6 with one 4-byte option (Router Alert, RFC 2113), total length 28.
        byte[] data = Convert.FromHexString("4600001c0000000001020000" + "0a0000010a000002" + "94040000" + "0102030405060708");
        WriteHeaderChecksum(data, 24);

        Assert.True(Ipv4Packet.TryCreate(data, out Ipv4Packet ip));

        Assert.Equal(24, ip.HeaderLength);
        Assert.Equal(new byte[] { 0x94, 0x04, 0x00, 0x00 }, ip.Options.ToArray());
        Assert.Equal(4, ip.Payload.Length);
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(4, ip.ToHeader().PayloadLength);
    }

    [Fact]
    public void Detects_a_corrupted_header_checksum()
    {
        byte[] data = CapturedFrames.IpBytes(CapturedFrames.IcmpEchoRequest);
        data[8] = 63; // TTL changed, checksum not updated

        Assert.True(Ipv4Packet.TryCreate(data, out Ipv4Packet ip));
        Assert.False(ip.IsChecksumValid);
    }

    [Fact]
    public void WriteTo_rejects_values_the_header_cannot_carry()
    {
        var header = new Ipv4Header(s_ip1, s_ip2, IpProtocol.Udp, 100);

        Assert.Throws<ArgumentException>(() => header.WriteTo(new byte[19]));
        Assert.Throws<ArgumentOutOfRangeException>(() => (header with { PayloadLength = 65516 }).WriteTo(new byte[20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => (header with { PayloadLength = -1 }).WriteTo(new byte[20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => (header with { FragmentOffset = 12 }).WriteTo(new byte[20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => (header with { FragmentOffset = 65536 }).WriteTo(new byte[20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => (header with { Dscp = 64 }).WriteTo(new byte[20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => (header with { Ecn = 4 }).WriteTo(new byte[20]));
    }

    [Fact]
    public void Writes_every_field_where_rfc_791_puts_it()
    {
        var header = new Ipv4Header(s_ip1, s_ip2, IpProtocol.Tcp, 40, Ttl: 17, Identification: 0xBEEF,
            DontFragment: true, MoreFragments: true, FragmentOffset: 65528, Dscp: 46, Ecn: 2);
        byte[] written = new byte[20];

        header.WriteTo(written);

        Assert.Equal("45ba003cbeef7fff1106", Convert.ToHexStringLower(written, 0, 10));
        Assert.Equal("0a0000010a000002", Convert.ToHexStringLower(written, 12, 8));
        Assert.True(Ipv4Packet.TryCreate([.. written, .. new byte[40]], out Ipv4Packet ip));
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(header, ip.ToHeader());
        Assert.Equal(60, header.TotalLength);
    }

    [Fact]
    public void ToString_summarises_in_one_line()
    {
        Assert.True(Ipv4Packet.TryCreate(CapturedFrames.IpBytes(CapturedFrames.IcmpEchoRequest), out Ipv4Packet echo));
        Assert.True(Ipv4Packet.TryCreate(CapturedFrames.IpBytes(CapturedFrames.FragmentMiddle), out Ipv4Packet fragment));

        Assert.Equal("IP 10.0.0.1 > 10.0.0.2 ICMP echo request id=6729 seq=1 len=56", echo.ToString());
        Assert.Equal("IP 10.0.0.1 > 10.0.0.2 proto 1 ttl 64 id 62694 [MF] offset 48 len 68", fragment.ToString());
        Assert.Equal(
            "IP 10.0.0.1 > 10.0.0.2 proto 6 ttl 64 id 1234 [DF] len 60",
            new Ipv4Header(s_ip1, s_ip2, IpProtocol.Tcp, 40, Identification: 1234, DontFragment: true).ToString());
    }

    private static DropReason Reject(byte[] data)
    {
        Assert.False(Ipv4Packet.TryCreate(data, out _, out DropReason error));
        return error;
    }

    private static byte[] With(byte[] data, int index, byte value)
    {
        byte[] copy = (byte[])data.Clone();
        copy[index] = value;
        return copy;
    }

    private static void WriteHeaderChecksum(byte[] data, int headerLength)
    {
        ushort checksum = Checksum.Compute(data.AsSpan(0, headerLength));
        data[10] = (byte)(checksum >> 8);
        data[11] = (byte)checksum;
    }
}
