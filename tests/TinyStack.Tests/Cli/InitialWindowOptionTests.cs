using System.CommandLine;
using TinyStack.Cli;
using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;

namespace TinyStack.Tests.Cli;

/// <summary>--tcp-initial-window sets the first cwnd of every connection, for either algorithm.</summary>
public class InitialWindowOptionTests
{
    private const int Mss = 1448;

    [Theory]
    [InlineData("cubic", null, 10)]
    [InlineData("newreno", null, 10)]
    [InlineData("cubic", "4", 4)]
    [InlineData("newreno", "32", 32)]
    public void The_first_window_is_that_many_segments(string cc, string? segments, int expected)
    {
        (InterfaceOptions options, ParseResult result) = segments is null
            ? RunArguments.Parse("--cc", cc)
            : RunArguments.Parse("--cc", cc, "--tcp-initial-window", segments);
        Assert.Empty(result.Errors);
        Assert.Null(options.Validate(result));
        TcpSettings settings = options.Congestion.Apply(result, new TcpSettings(), new TinyStack.Tests.Interface.RecordingLogger(StackLogLevel.None));
        ICongestionControl algorithm = settings.CongestionControl(Mss);
        Assert.Equal((uint)(expected * Mss), algorithm.Cwnd);
        Assert.Equal(cc == "cubic" ? typeof(Cubic) : typeof(NewReno), algorithm.GetType());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    public void Out_of_range_gets_one_clear_line(string segments)
    {
        (InterfaceOptions options, ParseResult result) = RunArguments.Parse("--tcp-initial-window", segments);
        Assert.Equal($"--tcp-initial-window {segments} is out of range: use 1..1000 segments.", options.Validate(result));
    }
}
