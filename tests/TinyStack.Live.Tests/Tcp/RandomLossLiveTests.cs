using System.Globalization;
using System.Text.RegularExpressions;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Tcp;

/// <summary>
/// The issue's bar for loss recovery: with 1% of frames dropped at random in each direction, a
/// 200 MiB chargen download to the kernel keeps at least 40% of the loss-free rate measured in the
/// same test, with CUBIC and with NewReno.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed partial class RandomLossLiveTests(ITestOutputHelper output)
{
    private const int Bytes = 200 * 1024 * 1024;
    private const double Bar = 0.4;
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("cubic")]
    [InlineData("newreno")]
    public void A_200_MiB_download_with_1_percent_loss_keeps_40_percent_of_the_loss_free_rate(string algorithm)
    {
        using Lab lab = new();
        (double clean, _) = Download(lab, algorithm, []);
        (double lossy, string counters) = Download(lab, algorithm, ["--drop", "0.01", "--seed", "11"]);
        double ratio = lossy / clean;
        string timeouts = Regex.Match(counters, @"tcp\.RetransmitTimeouts\s+(\d+)").Groups[1].Value;
        string retransmitted = Regex.Match(counters, @"tcp\.SegmentsRetransmitted\s+(\d+)").Groups[1].Value;
        Figures.Record($"1% loss, {algorithm}: 200 MiB chargen at {lossy:0.000} Gbit/s vs {clean:0.000} Gbit/s loss-free in the same test, ratio {ratio:0.00} "
            + $"(bar {Bar}); {retransmitted} segments retransmitted, {(timeouts.Length > 0 ? timeouts : "0")} RTOs [--drop 0.01 --seed 11 --cc {algorithm}]");
        Assert.True(ratio >= Bar, $"{algorithm}: {lossy:0.000} Gbit/s with 1% loss is {ratio:0.00} of the loss-free {clean:0.000} Gbit/s (bar {Bar}); RTOs: {timeouts}");
    }

    /// <summary>Starts a stack with these faults, downloads 200 MiB (checked byte for byte), stops it; returns the rate and its counters.</summary>
    private (double Gbps, string Counters) Download(Lab lab, string algorithm, string[] faults)
    {
        StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", ["--cc", algorithm, .. faults]);
        ProcessResult result = lab.TcpClient(s_timeout, "chargen", "10.0.0.2", Bytes.ToString(CultureInfo.InvariantCulture));
        string counters = stack.Stop();
        output.WriteLine(result.ToString());
        output.WriteLine(counters);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("bad_chunks=0", result.Stdout, StringComparison.Ordinal);
        if (faults.Length > 0)
        {
            // The faults really happened.
            Assert.Matches(@"tcp\.SegmentsRetransmitted\s+[1-9]", counters);
        }

        return (double.Parse(Gbps().Match(result.Stdout).Groups[1].Value, CultureInfo.InvariantCulture), counters);
    }

    [GeneratedRegex(@"\bgbps=(\S+)")]
    private static partial Regex Gbps();
}
