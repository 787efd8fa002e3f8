using System.Globalization;
using TinyStack.Time;

namespace TinyStack.Cli;

/// <summary>Parsers for the human-friendly values the CLI accepts ("10ms", "200mbit").</summary>
public static class CliParsers
{
    /// <summary>Parses a duration such as <c>250us</c>, <c>10ms</c>, <c>1.5s</c> or <c>2m</c>; a bare number means milliseconds.</summary>
    public static bool TryParseDuration(string text, out Duration duration)
    {
        duration = default;
        (string number, long unitMicros) = Split(text.Trim().ToLowerInvariant(), [("us", 1L), ("ms", 1000L), ("s", 1_000_000L), ("m", 60_000_000L)], 1000L);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value < 0)
        {
            return false;
        }

        duration = Duration.FromMicroseconds((long)Math.Round(value * unitMicros));
        return true;
    }

    /// <summary>Parses a rate such as <c>200mbit</c>, <c>1gbit</c>, <c>512kbit</c> or <c>1000000</c> (bits per second).</summary>
    public static bool TryParseRate(string text, out long bitsPerSecond)
    {
        bitsPerSecond = 0;
        (string number, long unit) = Split(
            text.Trim().ToLowerInvariant(),
            [("gbit", 1_000_000_000L), ("mbit", 1_000_000L), ("kbit", 1000L), ("bit", 1L), ("gbps", 1_000_000_000L), ("mbps", 1_000_000L), ("kbps", 1000L)],
            1L);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0)
        {
            return false;
        }

        bitsPerSecond = (long)Math.Round(value * unit);
        return bitsPerSecond > 0;
    }

    private static (string Number, long Unit) Split(string text, (string Suffix, long Unit)[] units, long defaultUnit)
    {
        foreach ((string suffix, long unit) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                return (text[..^suffix.Length], unit);
            }
        }

        return (text, defaultUnit);
    }
}
