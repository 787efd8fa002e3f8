using System.Globalization;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Icmp;

/// <summary>The kernel pings TinyStack through a real TAP in a private lab namespace.</summary>
[Collection(LiveCollection.Name)]
public sealed class PingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public void Ping_50_at_10ms_intervals_loses_nothing()
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack();
        PingReport report = Ping(lab, "-c", "50", "-i", "0.01");
        Assert.Equal(50, report.Received);

        // The run prints one line per notable event and a counter summary on exit.
        string printed = stack.Stop();
        Assert.Contains("ARP learned 10.0.0.1 at", printed, StringComparison.Ordinal);
        Assert.Matches(@"IcmpEchoRepliesSent\s+50\b", printed);

        // And what the host loop did: every echo request in, every reply out.
        System.Text.RegularExpressions.Match loop = System.Text.RegularExpressions.Regex.Match(printed, @"Host loop: (\d+) wake-ups, (\d+) frames in, (\d+) out, \d+ posted work items, \d+ bytes allocated on the stack thread");
        Assert.True(loop.Success, printed);
        Assert.InRange(long.Parse(loop.Groups[2].Value, CultureInfo.InvariantCulture), 50, 10_000);
        Assert.InRange(long.Parse(loop.Groups[3].Value, CultureInfo.InvariantCulture), 50, 10_000);
    }

    [Fact]
    public void Ping_to_persistent_tap0_200_at_5ms_reports_p50_and_p99()
    {
        // The issue's bar: a persistent tap0 made beforehand (lab.sh uses `ip tuntap add`).
        using Lab lab = new();
        lab.StartStack("tap0", "10.0.0.2/24");
        PingReport report = Ping(lab, "-c", "200", "-i", "0.005");
        Assert.Equal(0, report.LossPercent);
        Assert.Equal(200, report.RttsMs.Count);
        string line = string.Create(CultureInfo.InvariantCulture, $"ping -c 200 -i 0.005: p50 {report.Percentile(50) * 1000:0} us, p99 {report.Percentile(99) * 1000:0} us");
        output.WriteLine(line);
        Figures.Record(line);
    }

    [Theory]
    [InlineData(4000)]
    [InlineData(65000)]
    public void Large_pings_are_fragmented_both_ways_and_lose_nothing(int size)
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack();
        PingReport report = Ping(lab, "-c", "10", "-i", "0.05", "-s", size.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(10, report.Received);
        string counters = stack.Stop();
        Assert.Matches(@"DatagramsReassembled\s+[1-9]", counters);
        Assert.Matches(@"DatagramsFragmented\s+[1-9]", counters);
    }

    [Fact]
    public void Flood_ping_20000_loses_nothing()
    {
        using Lab lab = new();
        lab.StartStack();
        PingReport report = Ping(lab, "-f", "-c", "20000");
        Assert.Equal(20000, report.Received);
    }

    [Fact]
    public void Flood_ping_50000_loses_nothing_and_reports_the_rate()
    {
        using Lab lab = new();
        lab.StartStack();
        PingReport report = Ping(lab, "-f", "-c", "50000");
        Assert.Equal(50000, report.Received);
        string line = string.Create(CultureInfo.InvariantCulture, $"ping -f -c 50000: {report.Received / (report.ElapsedMs / 1000):0} echo replies/s ({report.ElapsedMs:0} ms)");
        output.WriteLine(line);
        Figures.Record(line);
    }

    [Fact]
    public void With_20_percent_drop_each_way_ping_still_gets_the_other_replies()
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", "--drop", "0.2", "--seed", "1");
        PingReport report = Ping(lab, "-c", "200", "-i", "0.005", "-W", "1");

        // Each echo crosses the injector twice: about 0.8 * 0.8 = 64% come back.
        Assert.InRange(report.Received, 90, 170);
        string counters = stack.Stop();
        Assert.Contains("fault injector", counters, StringComparison.Ordinal);
    }

    private PingReport Ping(Lab lab, params string[] args)
    {
        ProcessResult result = lab.Exec(s_timeout, ["ping", "-n", .. args, "10.0.0.2"]);
        output.WriteLine(result.ToString());
        return PingReport.Parse(result.Stdout);
    }
}
