using System.CommandLine;
using System.CommandLine.Parsing;
using TinyStack.Cli;
using TinyStack.Tcp;

namespace TinyStack.Tests.Cli;

/// <summary>The on|off TCP switches of `tinystack run`: --tcp-rack-tlp and --tcp-sack.</summary>
public class TcpOnOffOptionTests
{
    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "--tcp-rack-tlp", "on" }, true)]
    [InlineData(new[] { "--tcp-rack-tlp", "off" }, false)]
    public void Rack_tlp_is_on_unless_switched_off(string[] args, bool expected)
    {
        (InterfaceOptions options, ParseResult result) = RunArguments.Parse(args);
        Assert.Empty(result.Errors);
        TcpSettings settings = options.ToTcpSettings(result);
        Assert.Equal(expected, settings.RackTlp);

        // The switch is independent of SACK, which RACK-TLP needs on the connection.
        Assert.True(settings.Sack);
    }

    [Theory]
    [InlineData("--tcp-rack-tlp")]
    [InlineData("--tcp-sack")]
    public void A_bad_value_gives_one_clear_line(string name)
    {
        (_, ParseResult result) = RunArguments.Parse(name, "maybe");
        ParseError error = Assert.Single(result.Errors);
        Assert.Equal($"{name} 'maybe' is not valid: expected on or off.", error.Message);
    }

    [Fact]
    public void Sack_off_is_taken()
    {
        (InterfaceOptions options, ParseResult result) = RunArguments.Parse("--tcp-sack", "off", "--tcp-rack-tlp", "on");
        Assert.Empty(result.Errors);
        TcpSettings settings = options.ToTcpSettings(result);
        Assert.False(settings.Sack);
        Assert.True(settings.RackTlp);
    }
}
