using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tests.Interface;

public class StackOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        new StackOptions().Validate();
        new StackOptions { Gateway = new Ipv4Address(10, 0, 0, 1) }.Validate();
    }

    public static TheoryData<StackOptions, string> Invalid => new()
    {
        { new StackOptions { Mac = MacAddress.Broadcast }, "Mac" },
        { new StackOptions { Mac = MacAddress.Zero }, "Mac" },
        { new StackOptions { Address = Ipv4Cidr.Parse("10.0.0.255/24") }, "Address" },
        { new StackOptions { Address = Ipv4Cidr.Parse("127.0.0.1/8") }, "Address" },
        { new StackOptions { Gateway = new Ipv4Address(192, 168, 1, 1) }, "Gateway" },
        { new StackOptions { Gateway = new Ipv4Address(10, 0, 0, 2) }, "Gateway" },
        { new StackOptions { Mtu = 67 }, "Mtu" },
        { new StackOptions { Mtu = 70_000 }, "Mtu" },
        { new StackOptions { DefaultTtl = 0 }, "DefaultTtl" },
        { new StackOptions { ArpMaxRequests = 0 }, "ArpMaxRequests" },
        { new StackOptions { ArpRetryInterval = Duration.Zero }, "ArpRetryInterval" },
        { new StackOptions { ReassemblyMaxDatagrams = 0 }, "ReassemblyMaxDatagrams" },
        { new StackOptions { IcmpErrorBurst = -1 }, "IcmpErrorBurst" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Unworkable_settings_are_named_in_the_exception(StackOptions options, string setting)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new NetworkStack(options));

        Assert.Equal(setting, error.ParamName);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
