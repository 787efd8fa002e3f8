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

    /// <summary>Parses a size in bytes such as <c>65536</c>, <c>64k</c>, <c>256KiB</c> or <c>4m</c> (k and m are 1024-based).</summary>
    public static bool TryParseSize(string text, out int bytes)
    {
        bytes = 0;
        (string number, long unit) = Split(
            text.Trim().ToLowerInvariant(),
            [("kib", 1024L), ("mib", 1024L * 1024), ("gib", 1024L * 1024 * 1024), ("k", 1024L), ("m", 1024L * 1024), ("g", 1024L * 1024 * 1024), ("b", 1L)],
            1L);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value < 0)
        {
            return false;
        }

        double total = Math.Round(value * unit);
        if (total > int.MaxValue)
        {
            return false;
        }

        bytes = (int)total;
        return true;
    }

    /// <summary>Parses a switch: <c>on</c>/<c>off</c> (also yes/no, true/false, 1/0).</summary>
    public static bool TryParseOnOff(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "on" or "yes" or "true" or "1":
                value = true;
                return true;
            case "off" or "no" or "false" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
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
