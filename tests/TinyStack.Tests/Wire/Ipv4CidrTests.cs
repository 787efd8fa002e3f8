using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class Ipv4CidrTests
{
    [Theory]
    [InlineData("10.0.0.2/24", "10.0.0.2", 24, "255.255.255.0", "10.0.0.0", "10.0.0.255")]
    [InlineData("192.168.7.77/20", "192.168.7.77", 20, "255.255.240.0", "192.168.0.0", "192.168.15.255")]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0, "0.0.0.0", "0.0.0.0", "255.255.255.255")]
    [InlineData("10.0.0.1/31", "10.0.0.1", 31, "255.255.255.254", "10.0.0.0", "255.255.255.255")]
    [InlineData("10.0.0.1/32", "10.0.0.1", 32, "255.255.255.255", "10.0.0.1", "255.255.255.255")]
    public void Parses_and_derives_mask_network_and_broadcast(string text, string address, int prefix, string mask, string network, string broadcast)
    {
        Assert.True(Ipv4Cidr.TryParse(text, out Ipv4Cidr cidr));

        Assert.Equal(Ipv4Address.Parse(address), cidr.Address);
        Assert.Equal(prefix, cidr.PrefixLength);
        Assert.Equal(mask, cidr.Mask.ToString());
        Assert.Equal(network, cidr.Network.ToString());
        Assert.Equal(broadcast, cidr.DirectedBroadcast.ToString());
        Assert.Equal(text, cidr.ToString());
        Assert.Equal(cidr, Ipv4Cidr.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10.0.0.2")]
    [InlineData("10.0.0.2/")]
    [InlineData("10.0.0.2/33")]
    [InlineData("10.0.0.2/-1")]
    [InlineData("10.0.0.2/+8")]
    [InlineData("10.0.0.2/ 8")]
    [InlineData("10.0.0.2/008")]
    [InlineData("10.0.0.2/24/8")]
    [InlineData("10.0.0/24")]
    [InlineData("/24")]
    public void Rejects_anything_else(string? text)
    {
        Assert.False(Ipv4Cidr.TryParse(text, out _));
        if (text is not null)
        {
            FormatException error = Assert.Throws<FormatException>(() => Ipv4Cidr.Parse(text));
            Assert.Contains("10.0.0.2/24", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Contains_exactly_the_subnet()
    {
        Ipv4Cidr cidr = Ipv4Cidr.Parse("10.0.0.2/24");

        Assert.True(cidr.Contains(Ipv4Address.Parse("10.0.0.0")));
        Assert.True(cidr.Contains(Ipv4Address.Parse("10.0.0.255")));
        Assert.False(cidr.Contains(Ipv4Address.Parse("10.0.1.0")));
        Assert.False(cidr.Contains(Ipv4Address.Parse("9.255.255.255")));
        Assert.True(Ipv4Cidr.Parse("0.0.0.0/0").Contains(Ipv4Address.Broadcast));
        Assert.False(Ipv4Cidr.Parse("10.0.0.1/32").Contains(Ipv4Address.Parse("10.0.0.2")));
    }
}
