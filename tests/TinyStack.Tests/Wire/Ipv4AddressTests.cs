using CsCheck;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class Ipv4AddressTests
{
    [Theory]
    [InlineData("10.0.0.1", 0x0A00_0001u)]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("255.255.255.255", 0xFFFF_FFFFu)]
    [InlineData("192.168.001.010", 0xC0A8_010Au)]
    [InlineData("127.0.0.1", 0x7F00_0001u)]
    public void Parses_dotted_quads(string text, uint expected)
    {
        Assert.True(Ipv4Address.TryParse(text, out Ipv4Address address));
        Assert.Equal(expected, address.Value);
        Assert.Equal(address, Ipv4Address.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10.0.0")]
    [InlineData("10.0.0.1.")]
    [InlineData("10.0.0.1.5")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0.0001")]
    [InlineData("10..0.1")]
    [InlineData(".10.0.0.1")]
    [InlineData("10.0.0.-1")]
    [InlineData("10.0.0.+1")]
    [InlineData(" 10.0.0.1")]
    [InlineData("10.0.0.1 ")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("167772161")]
    [InlineData("::1")]
    public void Rejects_anything_else(string? text)
    {
        Assert.False(Ipv4Address.TryParse(text, out Ipv4Address address));
        Assert.Equal(Ipv4Address.Any, address);
        if (text is not null)
        {
            FormatException error = Assert.Throws<FormatException>(() => Ipv4Address.Parse(text));
            Assert.Contains("10.0.0.2", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Formats_and_round_trips()
    {
        Assert.Equal("10.0.0.1", new Ipv4Address(10, 0, 0, 1).ToString());
        Assert.Equal("255.255.255.255", Ipv4Address.Broadcast.ToString());
        WireGen.Address.Sample(address =>
        {
            Assert.Equal(address, Ipv4Address.Parse(address.ToString()));
            Assert.Equal(System.Net.IPAddress.Parse(address.ToString()).ToString(), address.ToString());
        }, iter: 1_000);
    }

    [Fact]
    public void Reads_and_writes_network_order_and_orders_numerically()
    {
        byte[] bytes = [192, 168, 1, 10];
        var address = new Ipv4Address(bytes);
        byte[] written = new byte[4];
        address.WriteTo(written);

        Assert.Equal(new Ipv4Address(192, 168, 1, 10), address);
        Assert.Equal(bytes, written);
        Assert.True(new Ipv4Address(10, 0, 0, 1).CompareTo(new Ipv4Address(10, 0, 0, 2)) < 0);
        Assert.True(new Ipv4Address(128, 0, 0, 0).CompareTo(new Ipv4Address(127, 255, 255, 255)) > 0);
    }

    [Fact]
    public void Classifies_special_ranges()
    {
        Assert.True(Ipv4Address.Any.IsUnspecified);
        Assert.True(Ipv4Address.Broadcast.IsLimitedBroadcast && Ipv4Address.Broadcast.IsReserved);
        Assert.True(Ipv4Address.Parse("224.0.0.1").IsMulticast);
        Assert.True(Ipv4Address.Parse("239.255.255.255").IsMulticast);
        Assert.False(Ipv4Address.Parse("240.0.0.1").IsMulticast);
        Assert.True(Ipv4Address.Parse("240.0.0.1").IsReserved);
        Assert.True(Ipv4Address.Parse("127.1.2.3").IsLoopback);
        Assert.False(Ipv4Address.Parse("10.0.0.1").IsLoopback || Ipv4Address.Parse("10.0.0.1").IsMulticast);
    }
}
