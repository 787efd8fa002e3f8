using System.Text;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class UdpDatagramTests
{
    private static readonly Ipv4Address s_ip1 = new(10, 0, 0, 1);
    private static readonly Ipv4Address s_ip2 = new(10, 0, 0, 2);

    [Fact]
    public void Parses_captured_datagram()
    {
        byte[] data = CapturedFrames.IpBytes(CapturedFrames.UdpDatagram)[20..];

        Assert.True(UdpDatagram.TryCreate(data, out UdpDatagram udp));

        Assert.Equal(40001, udp.SourcePort);
        Assert.Equal(5353, udp.DestinationPort);
        Assert.Equal(17, udp.Length);
        Assert.Equal(0x1148, udp.Checksum);
        Assert.True(udp.HasChecksum);
        Assert.True(udp.IsChecksumValid(s_ip1, s_ip2));
        Assert.False(udp.IsChecksumValid(s_ip2, s_ip1 with { Value = s_ip1.Value + 2 }));
        Assert.Equal("hello udp", Encoding.ASCII.GetString(udp.Payload));
        Assert.Equal("UDP 10.0.0.1:40001 > 10.0.0.2:5353 len=9", udp.ToString(s_ip1, s_ip2));
        Assert.Equal("UDP 40001 > 5353 len=9", udp.ToString());
    }

    [Theory]
    [InlineData(CapturedFrames.UdpDatagram)]
    [InlineData(CapturedFrames.UdpToClosedPort)]
    public void Header_round_trips_byte_for_byte(string hex)
    {
        byte[] data = CapturedFrames.IpBytes(hex)[20..];
        Assert.True(UdpDatagram.TryCreate(data, out UdpDatagram udp));

        byte[] rebuilt = (byte[])data.Clone();
        rebuilt.AsSpan(0, 8).Clear();
        udp.ToHeader().WriteTo(rebuilt, s_ip1, s_ip2);

        Assert.Equal(data, rebuilt);
    }

    [Fact]
    public void Validates_the_length_field()
    {
        byte[] data = CapturedFrames.IpBytes(CapturedFrames.UdpDatagram)[20..];

        Assert.False(UdpDatagram.TryCreate(data.AsSpan(0, 7), out _));
        Assert.False(UdpDatagram.TryCreate(data.AsSpan(0, 16), out _)); // Length says 17
        data[5] = 7;
        Assert.False(UdpDatagram.TryCreate(data, out _));
        data[5] = 8;
        Assert.True(UdpDatagram.TryCreate(data, out UdpDatagram empty));
        Assert.True(empty.Payload.IsEmpty);
        Assert.Equal(8, empty.Bytes.Length);
    }

    [Fact]
    public void A_zero_checksum_means_none_and_is_accepted()
    {
        byte[] data = CapturedFrames.IpBytes(CapturedFrames.UdpDatagram)[20..];
        data[6] = 0;
        data[7] = 0;
        data[^1] ^= 0xFF; // would fail any real checksum

        Assert.True(UdpDatagram.TryCreate(data, out UdpDatagram udp));
        Assert.False(udp.HasChecksum);
        Assert.True(udp.IsChecksumValid(s_ip1, s_ip2));
    }

    [Fact]
    public void A_computed_zero_checksum_is_sent_as_all_ones()
    {
        // Choose the 2-byte payload so that the one's complement sum makes the checksum 0 (RFC 768).
        byte[] datagram = new byte[10];
        var header = new UdpHeader(1234, 5678, 2);
        header.WriteTo(datagram, s_ip1, s_ip2);
        ushort checksumWithZeroPayload = (ushort)((datagram[6] << 8) | datagram[7]);
        datagram[8] = (byte)(checksumWithZeroPayload >> 8);
        datagram[9] = (byte)checksumWithZeroPayload;

        header.WriteTo(datagram, s_ip1, s_ip2);

        Assert.Equal(0xFF, datagram[6]);
        Assert.Equal(0xFF, datagram[7]);
        Assert.True(UdpDatagram.TryCreate(datagram, out UdpDatagram udp));
        Assert.True(udp.IsChecksumValid(s_ip1, s_ip2));
    }

    [Fact]
    public void WriteTo_covers_only_the_declared_length_and_checks_the_buffer()
    {
        byte[] datagram = new byte[20];
        datagram[12] = 0xAB; // beyond the 4-byte payload: must not be summed
        new UdpHeader(1, 2, 4).WriteTo(datagram, s_ip1, s_ip2);

        Assert.True(UdpDatagram.TryCreate(datagram, out UdpDatagram udp));
        Assert.Equal(12, udp.Length);
        Assert.True(udp.IsChecksumValid(s_ip1, s_ip2));
        Assert.Throws<ArgumentException>(() => new UdpHeader(1, 2, 5).WriteTo(new byte[12], s_ip1, s_ip2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpHeader(1, 2, 65528).WriteTo(new byte[70000], s_ip1, s_ip2));
    }
}
