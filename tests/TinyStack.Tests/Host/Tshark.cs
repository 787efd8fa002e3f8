using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TinyStack.Tests.Host;

/// <summary>Runs tshark on a capture file and returns one line per frame.</summary>
internal static class Tshark
{
    public static string[] Fields(string path, params string[] fields)
    {
        var start = new ProcessStartInfo("tshark")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["-r", path, "-T", "fields", "-E", "separator=|"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string field in fields)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add(field);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start tshark");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"tshark -r {path} failed ({process.ExitCode}): {stderr.Result}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Rewrites hexadecimal fields ("0x00000002", as tshark 4.0 prints flags) as decimal.</summary>
    public static string NormalizeHex(string line) =>
        Regex.Replace(line, "0x([0-9a-fA-F]+)", m => long.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
}
