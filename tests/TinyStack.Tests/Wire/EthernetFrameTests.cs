using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class EthernetFrameTests
{
    [Fact]
    public void Parses_captured_arp_request_header()
    {
        byte[] frame = CapturedFrames.Bytes(CapturedFrames.ArpRequest);

        Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame view));

        Assert.Equal(MacAddress.Broadcast, view.Destination);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:01"), view.Source);
        Assert.Equal(EtherType.Arp, view.EtherType);
        Assert.False(view.IsVlanTagged);
        Assert.False(view.TryGetVlan(out _, out _));
        Assert.Equal(28, view.Payload.Length);
        Assert.Equal(frame.AsSpan(14).ToArray(), view.Payload.ToArray());
    }

    [Theory]
    [InlineData(CapturedFrames.ArpRequest)]
    [InlineData(CapturedFrames.IcmpEchoRequest)]
    [InlineData(CapturedFrames.TcpSyn)]
    [InlineData(CapturedFrames.IcmpPortUnreachable)]
    public void Header_round_trips_byte_for_byte(string hex)
    {
        byte[] frame = CapturedFrames.Bytes(hex);
        Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame view));

        byte[] written = new byte[EthernetHeader.Length];
        view.ToHeader().WriteTo(written);

        Assert.Equal(frame[..14], written);
    }

    [Fact]
    public void Rejects_frames_shorter_than_the_header()
    {
        byte[] frame = CapturedFrames.Bytes(CapturedFrames.ArpRequest);

        for (int length = 0; length < EthernetFrame.HeaderLength; length++)
        {
            Assert.False(EthernetFrame.TryCreate(frame.AsSpan(0, length), out _));
        }

        Assert.True(EthernetFrame.TryCreate(frame.AsSpan(0, EthernetFrame.HeaderLength), out EthernetFrame headerOnly));
        Assert.True(headerOnly.Payload.IsEmpty);
    }

    [Fact]
    public void Reads_an_802_1q_tag_and_the_inner_ether_type()
    {
        // 02:00:00:00:00:02 <- 02:00:00:00:00:01, TPID 0x8100, TCI PCP 5 VID 100 (0xa064), inner IPv4.
        byte[] frame = Convert.FromHexString("020000000002020000000001" + "8100a064" + "0800" + "4500");

        Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame view));

        Assert.True(view.IsVlanTagged);
        Assert.Equal(EtherType.Vlan, view.EtherType);
        Assert.True(view.TryGetVlan(out ushort tci, out ushort inner));
        Assert.Equal(0xa064, tci);
        Assert.Equal(100, tci & 0x0FFF);
        Assert.Equal(EtherType.Ipv4, inner);
    }

    [Fact]
    public void A_vlan_tag_cut_short_is_reported_as_absent()
    {
        byte[] frame = Convert.FromHexString("020000000002020000000001" + "88a8a0");

        Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame view));

        Assert.True(view.IsVlanTagged);
        Assert.False(view.TryGetVlan(out _, out _));
    }

    [Fact]
    public void WriteTo_rejects_a_short_buffer()
    {
        var header = new EthernetHeader(MacAddress.Broadcast, MacAddress.Zero, EtherType.Arp);

        Assert.Throws<ArgumentException>(() => header.WriteTo(new byte[13]));
    }

    [Fact]
    public void ToString_is_a_tcpdump_like_line()
    {
        Assert.True(EthernetFrame.TryCreate(CapturedFrames.Bytes(CapturedFrames.ArpRequest), out EthernetFrame view));

        Assert.Equal("02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff ARP", view.ToString());
        Assert.Equal(
            "02:00:00:00:00:01 > 02:00:00:00:00:02 0x88b5",
            new EthernetHeader(MacAddress.Parse("02:00:00:00:00:02"), MacAddress.Parse("02:00:00:00:00:01"), 0x88b5).ToString());
    }
}
