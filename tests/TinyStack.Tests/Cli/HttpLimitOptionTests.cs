using System.CommandLine;
using TinyStack.Cli;
using TinyStack.Http;

namespace TinyStack.Tests.Cli;

/// <summary>The request-size limits of `tinystack run`'s web site are flags that raise or lower the defaults.</summary>
public class HttpLimitOptionTests
{
    private static (HttpSiteOptions Options, ParseResult Result) Parse(params string[] args)
    {
        HttpSiteOptions options = new();
        return (options, RunArguments.ParseWith(options.AddTo, args));
    }

    [Fact]
    public void Defaults_are_the_parsers_limits()
    {
        (HttpSiteOptions options, ParseResult result) = Parse();
        Assert.Empty(result.Errors);
        Assert.Null(options.Validate(result));
        HttpLimits limits = options.ToServerOptions(result, _ => { }).Limits;
        Assert.Equal(HttpLimits.Default.MaxRequestLineBytes, limits.MaxRequestLineBytes);
        Assert.Equal(HttpLimits.Default.MaxHeaderBytes, limits.MaxHeaderBytes);
        Assert.Equal(HttpLimits.Default.MaxHeaderCount, limits.MaxHeaderCount);
        Assert.Equal(HttpLimits.Default.MaxRequestBodyBytes, limits.MaxRequestBodyBytes);
    }

    [Fact]
    public void Every_limit_can_be_raised()
    {
        (HttpSiteOptions options, ParseResult result) = Parse(
            "--http-max-request-line", "16k", "--http-max-headers", "128k", "--http-max-header-count", "250", "--http-max-body", "10m");
        Assert.Empty(result.Errors);
        Assert.Null(options.Validate(result));
        HttpLimits limits = options.ToServerOptions(result, _ => { }).Limits;
        Assert.Equal(16 * 1024, limits.MaxRequestLineBytes);
        Assert.Equal(128 * 1024, limits.MaxHeaderBytes);
        Assert.Equal(250, limits.MaxHeaderCount);
        Assert.Equal(10L << 20, limits.MaxRequestBodyBytes);
    }

    [Theory]
    [InlineData("--http-max-request-line", "2g", "--http-max-request-line must be 16 bytes .. 1m.")]
    [InlineData("--http-max-headers", "10", "--http-max-headers must be 64 bytes .. 1m.")]
    [InlineData("--http-max-header-count", "0", "--http-max-header-count must be 1 .. 10000.")]
    public void Out_of_range_values_get_one_clear_line(string name, string value, string message)
    {
        (HttpSiteOptions options, ParseResult result) = Parse(name, value);
        Assert.Empty(result.Errors);
        Assert.Equal(message, options.Validate(result));
    }

    [Fact]
    public void A_size_that_is_not_one_says_what_is_expected()
    {
        (_, ParseResult result) = Parse("--http-max-headers", "lots");
        Assert.Equal("--http-max-headers 'lots' is not valid: expected a size such as 1048576, 64k, 10m or 1g.", Assert.Single(result.Errors).Message);
    }
}
