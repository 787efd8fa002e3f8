using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class ArpPacketTests
{
    private static readonly MacAddress s_mac1 = MacAddress.Parse("02:00:00:00:00:01");
    private static readonly MacAddress s_mac2 = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly Ipv4Address s_ip1 = new(10, 0, 0, 1);
    private static readonly Ipv4Address s_ip2 = new(10, 0, 0, 2);

    [Fact]
    public void Parses_captured_request()
    {
        Assert.True(ArpPacket.TryCreate(CapturedFrames.Bytes(CapturedFrames.ArpRequest).AsSpan(14), out ArpPacket arp));

        Assert.Equal(1, arp.HardwareType);
        Assert.Equal(0x0800, arp.ProtocolType);
        Assert.Equal(6, arp.HardwareLength);
        Assert.Equal(4, arp.ProtocolLength);
        Assert.True(arp.IsEthernetIpv4);
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(s_mac1, arp.SenderHardwareAddress);
        Assert.Equal(s_ip1, arp.SenderProtocolAddress);
        Assert.Equal(MacAddress.Zero, arp.TargetHardwareAddress);
        Assert.Equal(s_ip2, arp.TargetProtocolAddress);
        Assert.Equal("ARP who-has 10.0.0.2 tell 10.0.0.1", arp.ToString());
    }

    [Fact]
    public void Parses_captured_reply()
    {
        Assert.True(ArpPacket.TryCreate(CapturedFrames.Bytes(CapturedFrames.ArpReply).AsSpan(14), out ArpPacket arp));

        Assert.Equal(new ArpRepr(ArpOperation.Reply, s_mac2, s_ip2, s_mac1, s_ip1), arp.ToRepr());
        Assert.Equal("ARP reply 10.0.0.2 is-at 02:00:00:00:00:02", arp.ToString());
    }

    [Theory]
    [InlineData(CapturedFrames.ArpRequest)]
    [InlineData(CapturedFrames.ArpReply)]
    public void Repr_round_trips_byte_for_byte(string hex)
    {
        byte[] payload = CapturedFrames.Bytes(hex)[14..];
        Assert.True(ArpPacket.TryCreate(payload, out ArpPacket arp));

        byte[] written = new byte[ArpRepr.Length];
        arp.ToRepr().WriteTo(written);

        Assert.Equal(payload, written);
    }

    [Fact]
    public void Ignores_ethernet_padding_and_rejects_truncation()
    {
        byte[] payload = CapturedFrames.Bytes(CapturedFrames.ArpRequest)[14..];
        byte[] padded = [.. payload, .. new byte[18]];

        Assert.True(ArpPacket.TryCreate(padded, out ArpPacket arp));
        Assert.Equal(s_ip2, arp.TargetProtocolAddress);
        Assert.False(ArpPacket.TryCreate(payload.AsSpan(0, 27), out _));
    }

    [Fact]
    public void Flags_non_ethernet_ipv4_arp()
    {
        byte[] payload = CapturedFrames.Bytes(CapturedFrames.ArpRequest)[14..];
        payload[1] = 6; // IEEE 802 hardware type

        Assert.True(ArpPacket.TryCreate(payload, out ArpPacket arp));

        Assert.False(arp.IsEthernetIpv4);
        Assert.Equal("ARP htype 6 ptype 0x0800 hlen 6 plen 4 op 1", arp.ToString());
    }
}
