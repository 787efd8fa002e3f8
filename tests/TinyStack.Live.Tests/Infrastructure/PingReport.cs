using System.Globalization;
using System.Text.RegularExpressions;

namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>What iputils ping reported: counts, loss, and the RTT of every reply it printed.</summary>
public sealed partial record PingReport(int Transmitted, int Received, double LossPercent, double ElapsedMs, IReadOnlyList<double> RttsMs)
{
    public static PingReport Parse(string output)
    {
        Match summary = SummaryRegex().Match(output);
        if (!summary.Success)
        {
            throw new FormatException($"no ping summary in:\n{output}");
        }

        List<double> rtts = [.. RttRegex().Matches(output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
        return new PingReport(
            int.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture),
            double.Parse(summary.Groups[3].Value, CultureInfo.InvariantCulture),
            summary.Groups[4].Success ? double.Parse(summary.Groups[4].Value, CultureInfo.InvariantCulture) : 0,
            rtts);
    }

    /// <summary>The q-th percentile (0..100) of the per-reply RTTs, nearest rank.</summary>
    public double Percentile(double q)
    {
        if (RttsMs.Count == 0)
        {
            return double.NaN;
        }

        List<double> sorted = [.. RttsMs.Order()];
        int rank = (int)Math.Ceiling(q / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received,.*?([\d.]+)% packet loss(?:, time (\d+)ms)?")]
    private static partial Regex SummaryRegex();

    [GeneratedRegex(@"time=([\d.]+) ms")]
    private static partial Regex RttRegex();
}
