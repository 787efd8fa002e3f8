using System.CommandLine;
using System.CommandLine.Parsing;
using TinyStack.Cli;
using TinyStack.Tcp;

namespace TinyStack.Tests.Cli;

/// <summary>`tinystack run --tcp-max-time-wait N`: the TIME-WAIT cap, as Linux's tcp_max_tw_buckets.</summary>
public class TimeWaitOptionTests
{
    [Theory]
    [InlineData(new string[0], 131_072)]
    [InlineData(new[] { "--tcp-max-time-wait", "5" }, 5)]
    [InlineData(new[] { "--tcp-max-time-wait", "0" }, 0)]
    public void The_cap_reaches_the_tcp_settings(string[] args, int expected)
    {
        (InterfaceOptions options, ParseResult result) = RunArguments.Parse(args);
        Assert.Empty(result.Errors);
        Assert.Null(options.Validate(result));
        Assert.Equal(expected, options.ToTcpSettings(result).MaxTimeWait);
    }

    [Fact]
    public void A_negative_cap_gives_one_clear_line()
    {
        (InterfaceOptions options, ParseResult result) = RunArguments.Parse("--tcp-max-time-wait", "-1");
        Assert.Empty(result.Errors);
        Assert.Equal("--tcp-max-time-wait -1 is out of range: use 0 or more connections (0 skips TIME-WAIT).", options.Validate(result));
    }

    [Fact]
    public void A_word_gives_one_clear_line()
    {
        (_, ParseResult result) = RunArguments.Parse("--tcp-max-time-wait", "many");
        ParseError error = Assert.Single(result.Errors);
        Assert.Equal("--tcp-max-time-wait 'many' is not valid: expected a whole number of connections such as 131072.", error.Message);
    }
}
