using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class FrameSummaryTests
{
    [Theory]
    [InlineData(CapturedFrames.ArpRequest, "ARP who-has 10.0.0.2 tell 10.0.0.1")]
    [InlineData(CapturedFrames.ArpReply, "ARP reply 10.0.0.2 is-at 02:00:00:00:00:02")]
    [InlineData(CapturedFrames.IcmpEchoRequest, "IP 10.0.0.1 > 10.0.0.2 ICMP echo request id=6729 seq=1 len=56")]
    [InlineData(CapturedFrames.FragmentFirst, "IP 10.0.0.1 > 10.0.0.2 proto 1 ttl 64 id 62694 [MF] len 68")]
    [InlineData(CapturedFrames.FragmentLast, "IP 10.0.0.1 > 10.0.0.2 proto 1 ttl 64 id 62694 offset 96 len 32")]
    [InlineData(CapturedFrames.IcmpPortUnreachable, "IP 10.0.0.2 > 10.0.0.1 ICMP port unreachable quoting UDP 10.0.0.1:40000 > 10.0.0.2:9")]
    [InlineData(CapturedFrames.UdpDatagram, "UDP 10.0.0.1:40001 > 10.0.0.2:5353 len=9")]
    [InlineData(CapturedFrames.TcpAck, "TCP 10.0.0.1:39840 > 10.0.0.2:80 [.] seq=1846644114 ack=2258474383 win=63 <nop,nop,TS val 409601332 ecr 2657723414>")]
    public void Describes_captured_frames_like_tcpdump(string hex, string expected)
    {
        Assert.Equal(expected, FrameSummary.Describe(CapturedFrames.Bytes(hex)));
    }

    [Fact]
    public void Says_why_a_frame_does_not_parse()
    {
        byte[] echo = CapturedFrames.Bytes(CapturedFrames.IcmpEchoRequest);

        Assert.Equal("truncated Ethernet frame (13 bytes)", FrameSummary.Describe(echo.AsSpan(0, 13)));
        Assert.Equal("IPv4 malformed (Ipv4BadTotalLength, 50 bytes)", FrameSummary.Describe(echo.AsSpan(0, 64)));
        Assert.Equal("ARP truncated (27 bytes)", FrameSummary.Describe(CapturedFrames.Bytes(CapturedFrames.ArpRequest).AsSpan(0, 41)));
        Assert.Equal(
            "02:00:00:00:00:01 > 02:00:00:00:00:02 IPv6 len 2",
            FrameSummary.Describe(Convert.FromHexString("020000000002020000000001" + "86dd" + "6000")));
    }
}
