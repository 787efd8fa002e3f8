using TinyStack.Interface;
using TinyStack.Wire;

namespace TinyStack.Tests.Interface;

public class RouteTableTests
{
    private static readonly Ipv4Address s_gateway = new(10, 0, 0, 1);

    private static RouteTable HostTable()
    {
        var routes = new RouteTable();
        routes.AddOnLink(Ipv4Cidr.Parse("10.0.0.2/24"));
        routes.AddVia(Ipv4Cidr.Parse("0.0.0.0/0"), s_gateway);
        return routes;
    }

    [Theory]
    [InlineData("10.0.0.9", "10.0.0.9")] // on-link: the destination itself
    [InlineData("10.0.0.255", "10.0.0.255")]
    [InlineData("10.0.1.9", "10.0.0.1")] // elsewhere: the default gateway
    [InlineData("8.8.8.8", "10.0.0.1")]
    public void Next_hop_is_the_destination_on_link_and_the_gateway_otherwise(string destination, string nextHop)
    {
        Assert.True(HostTable().TryLookup(Ipv4Address.Parse(destination), out Ipv4Address hop));
        Assert.Equal(Ipv4Address.Parse(nextHop), hop);
    }

    [Fact]
    public void Longest_prefix_wins_whatever_the_insertion_order()
    {
        RouteTable routes = HostTable();
        var router = new Ipv4Address(10, 0, 0, 254);
        routes.AddVia(Ipv4Cidr.Parse("192.168.0.0/16"), router);
        routes.AddVia(Ipv4Cidr.Parse("192.168.7.0/24"), s_gateway);

        Assert.True(routes.TryLookup(new Ipv4Address(192, 168, 7, 1), out Ipv4Address specific));
        Assert.True(routes.TryLookup(new Ipv4Address(192, 168, 8, 1), out Ipv4Address broader));
        Assert.Equal(s_gateway, specific);
        Assert.Equal(router, broader);
    }

    [Fact]
    public void Without_a_default_route_off_link_destinations_have_no_route()
    {
        var routes = new RouteTable();
        routes.AddOnLink(Ipv4Cidr.Parse("10.0.0.2/24"));

        Assert.False(routes.TryLookup(new Ipv4Address(10, 0, 1, 1), out _));
    }

    [Fact]
    public void Adding_a_prefix_again_replaces_its_route()
    {
        RouteTable routes = HostTable();
        routes.AddVia(Ipv4Cidr.Parse("0.0.0.0/0"), new Ipv4Address(10, 0, 0, 3));

        Assert.Equal(2, routes.Count);
        Assert.True(routes.TryLookup(new Ipv4Address(1, 1, 1, 1), out Ipv4Address hop));
        Assert.Equal(new Ipv4Address(10, 0, 0, 3), hop);
    }
}
