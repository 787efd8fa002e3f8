using TinyStack.Tests.Wire;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

public class EthernetDispatchTests
{
    [Fact]
    public void Frame_for_another_MAC_is_ignored_and_counted()
    {
        var harness = new StackHarness();
        byte[] frame = EchoRequestFrame(1, 1, Pattern(8), ethernetDestination: MacAddress.Parse("02:00:00:00:00:03"));

        Assert.Equal(DropReason.EthernetNotForUs, harness.Receive(frame));

        Assert.Empty(harness.Take());
        Assert.Equal(1, harness.Stats[DropReason.EthernetNotForUs]);
        Assert.Equal(1, harness.Stats[StatCounter.FramesReceived]);
        Assert.Equal(frame.Length, harness.Stats[StatCounter.BytesReceived]);
    }

    [Fact]
    public void Multicast_frames_are_dropped_because_we_join_no_groups()
    {
        var harness = new StackHarness();

        DropReason verdict = harness.Receive(EchoRequestFrame(1, 1, Pattern(8), destination: new Ipv4Address(224, 0, 0, 1), ethernetDestination: MacAddress.Parse("01:00:5e:00:00:01")));

        Assert.Equal(DropReason.EthernetMulticast, verdict);
    }

    [Theory]
    [InlineData(EtherType.Ipv6, DropReason.EthernetUnsupportedType)]
    [InlineData((ushort)0x88CC, DropReason.EthernetUnsupportedType)] // LLDP
    [InlineData((ushort)0x0026, DropReason.EthernetUnsupportedType)] // an IEEE 802.3 length field (LLC)
    [InlineData(EtherType.Vlan, DropReason.EthernetVlanTagged)]
    [InlineData(EtherType.QinQ, DropReason.EthernetVlanTagged)]
    public void Only_IPv4_and_ARP_are_spoken(ushort etherType, DropReason expected)
    {
        var harness = new StackHarness();
        byte[] payload = CapturedFrames.IpBytes(CapturedFrames.IcmpEchoRequest);

        Assert.Equal(expected, harness.Receive(Ethernet(OurMac, PeerMac, etherType, payload)));

        Assert.Empty(harness.Take());
        Assert.Equal(1, harness.Stats[expected]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    public void Runt_frames_are_dropped(int length)
    {
        var harness = new StackHarness();

        Assert.Equal(DropReason.EthernetTruncated, harness.Receive(new byte[length]));
    }

    [Fact]
    public void Stats_name_every_nonzero_counter()
    {
        var harness = new StackHarness();
        harness.Receive(CapturedFrames.ArpRequest);
        harness.Receive(new byte[3]);

        IReadOnlyList<(string Name, long Value)> counters = harness.Stats.NonZeroCounters();

        Assert.Contains(("FramesReceived", 2L), counters);
        Assert.Contains(("ArpRepliesSent", 1L), counters);
        Assert.Contains(("drop.EthernetTruncated", 1L), counters);
        Assert.DoesNotContain(counters, c => c.Value == 0);
        Assert.Equal(1, harness.Stats.TotalDrops);
        Assert.Contains("drop.EthernetTruncated=1", harness.Stats.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Drops_are_logged_at_debug_and_fragments_waiting_are_not_drops()
    {
        var logger = new RecordingLogger(StackLogLevel.Debug);
        var harness = new StackHarness(new StackOptions { SendGratuitousArp = false, Logger = logger });

        harness.Receive(new byte[5]);
        harness.Receive(Fragment(Header(IpProtocol.Udp, 0), 0, true, Pattern(8)));

        Assert.Equal([(StackLogLevel.Debug, "rx drop EthernetTruncated: 5 bytes")], logger.Messages);
        Assert.Equal(1, harness.Stats.TotalDrops);
        Assert.Equal(1, harness.Stats[DropReason.Ipv4FragmentQueued]);
    }

    [Fact]
    public void Nothing_is_formatted_when_the_logger_is_disabled()
    {
        var logger = new RecordingLogger(StackLogLevel.None);
        var harness = new StackHarness(new StackOptions { SendGratuitousArp = false, Logger = logger });

        harness.Receive(new byte[5]);
        harness.Receive(ArpReplyTo(new Ipv4Address(10, 0, 0, 9), MacAddress.Parse("02:00:00:00:00:09")));

        Assert.Empty(logger.Messages);
    }
}
