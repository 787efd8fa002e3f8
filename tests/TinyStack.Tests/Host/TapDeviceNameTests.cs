using TinyStack.Host.Tap;

namespace TinyStack.Tests.Host;

/// <summary>Argument checks that fail before any system call, so they need no privileges.</summary>
public class TapDeviceNameTests
{
    [Theory]
    [InlineData("", "empty")]
    [InlineData("sixteen-chars-xx", "at most 15")]
    [InlineData("tap/0", "'/'")]
    [InlineData("tap 0", "whitespace")]
    [InlineData("tap\t0", "whitespace")]
    [InlineData("tap:0", "':'")]
    [InlineData("..", "not a valid interface name")]
    [InlineData("täääääääp", "at most 15")]
    public void Bad_names_are_rejected_with_a_one_line_message(string name, string expected)
    {
        TapException e = Assert.Throws<TapException>(() => TapDevice.Open(name));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(0, e.Errno);
    }

    [Theory]
    [InlineData("tap0")]
    [InlineData("fifteen-chars-x")]
    [InlineData("tap%d")]
    public void Good_names_pass_validation(string name) => TapDevice.ValidateName(name);

    [Theory]
    [InlineData(67)]
    [InlineData(65536)]
    public void An_out_of_range_MTU_is_rejected(int mtu)
    {
        TapException e = Assert.Throws<TapException>(() => TapDevice.Open("tap0", mtu));
        Assert.Contains("68 to 65535", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_namespace_is_named_in_the_message()
    {
        TapException e = Assert.Throws<TapException>(() => TapDevice.Open("tap0", netns: "ts-no-such-namespace-" + Environment.ProcessId));
        Assert.Contains("ip netns add", e.Message, StringComparison.Ordinal);
    }
}
