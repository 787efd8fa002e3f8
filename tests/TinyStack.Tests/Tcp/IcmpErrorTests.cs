using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>ICMP errors about our segments: RFC 5927 checks, hard and soft errors (RFC 1122 §4.2.3.9), PMTUD (RFC 1191).</summary>
public class IcmpErrorTests
{
    /// <summary>The first 8 bytes of a segment we sent, as an ICMP error quotes it.</summary>
    private static byte[] Quote(TcpHarness h, uint seq)
    {
        var header = new TcpHeader(h.OurPort, h.TheirPort, new SeqNumber(seq), default, TcpFlags.Ack, 0);
        byte[] bytes = new byte[TcpHeader.MinLength];
        header.WriteTo(bytes, LocalIp, RemoteIp);
        return bytes[..8];
    }

    private static bool Icmp(TcpHarness h, byte code, uint seq, ushort mtu = 0) =>
        h.Layer.HandleIcmpError(IcmpType.DestinationUnreachable, code, mtu, LocalIp, RemoteIp, Quote(h, seq), h.Now);

    [Fact]
    public void Port_unreachable_aborts_a_connection_attempt()
    {
        var h = new TcpHarness();
        TcpConnection c = h.Connect(out RecordingObserver observer);
        h.Next();
        Assert.True(Icmp(h, IcmpUnreachableCode.Port, h.Iss));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(TcpError.ConnectionRefused, observer.ClosedWith);
    }

    [Fact]
    public void An_error_quoting_a_number_not_in_flight_is_ignored()
    {
        var h = new TcpHarness();
        TcpConnection c = h.Connect(out _);
        h.Next();
        Assert.False(Icmp(h, IcmpUnreachableCode.Port, h.Iss + 5000));
        Assert.False(h.Layer.HandleIcmpError(IcmpType.DestinationUnreachable, IcmpUnreachableCode.Port, 0, LocalIp, RemoteIp, Quote(h, h.Iss)[..6], h.Now));
        Assert.Equal(TcpState.SynSent, c.State);
        Assert.Equal(2, h.Stats.IcmpErrorsIgnored);
    }

    [Fact]
    public void Host_unreachable_is_soft_and_reported_when_the_attempt_times_out()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, SynRetries = 1 });
        TcpConnection c = h.Connect(out RecordingObserver observer);
        h.Next();
        Assert.True(Icmp(h, IcmpUnreachableCode.Host, h.Iss));
        Assert.Equal(TcpState.SynSent, c.State);
        h.Advance(Duration.FromSeconds(5));
        Assert.Equal(TcpError.HostUnreachable, observer.ClosedWith);
    }

    [Fact]
    public void Port_unreachable_does_not_abort_an_established_connection()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        h.Next();
        Assert.True(Icmp(h, IcmpUnreachableCode.Port, h.Iss + 1));
        Assert.Equal(TcpState.Established, c.State);
    }

    [Fact]
    public void Fragmentation_needed_lowers_the_mss_and_resends_in_smaller_segments()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        byte[] data = Bytes(3 * Mss);
        c.Send(data);
        for (int i = 0; i < 3; i++)
        {
            h.Next();
        }

        uint cwnd = c.Cwnd;
        Assert.True(Icmp(h, IcmpUnreachableCode.FragmentationNeeded, h.Iss + 1, mtu: 1000));
        Assert.Equal(960, c.SendMss);
        Assert.Equal(cwnd, c.Cwnd);

        // Everything in flight goes again at once, cut to 960 bytes.
        int offset = 0;
        while (h.PendingCount > 0)
        {
            Emitted segment = h.Next();
            Assert.Equal(h.Iss + 1 + (uint)offset, segment.Seq);
            Assert.True(segment.Payload.Length <= 960);
            Assert.Equal(data[offset..(offset + segment.Payload.Length)], segment.Payload);
            offset += segment.Payload.Length;
        }

        Assert.Equal(3 * Mss, offset);
    }

    [Fact]
    public void Fragmentation_needed_without_a_next_hop_mtu_takes_the_next_plateau()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(10));
        h.Next();
        Icmp(h, IcmpUnreachableCode.FragmentationNeeded, h.Iss + 1);
        Assert.Equal(1492 - 40, c.SendMss);

        // Never below the minimum, whatever a forged ICMP says.
        Icmp(h, IcmpUnreachableCode.FragmentationNeeded, h.Iss + 1, mtu: 68);
        Assert.Equal(512, c.SendMss);
    }

    [Fact]
    public void An_error_for_an_unknown_tuple_is_ignored()
    {
        var h = new TcpHarness();
        Assert.False(Icmp(h, IcmpUnreachableCode.Port, 1));
        Assert.Equal(1, h.Stats.IcmpErrorsIgnored);
    }
}
