namespace TinyStack.Host.Capture;

/// <summary>Creates the capture writer that matches a file name.</summary>
public static class CaptureWriter
{
    private const int FileBufferSize = 64 * 1024;

    /// <summary>
    /// A pcapng writer for ".pcapng", a classic pcap writer for ".pcap" or ".cap" (case does not
    /// matter). The file is created or overwritten.
    /// </summary>
    /// <param name="wallClockAtZero">Wall-clock time of Instant.Zero (e.g.
    /// <see cref="StopwatchClock.WallClockAtZero"/>); now when null.</param>
    /// <param name="interfaceName">Interface name stored in pcapng; ignored for pcap.</param>
    /// <exception cref="ArgumentException">For any other extension.</exception>
    public static ICaptureWriter Create(string path, DateTimeOffset? wallClockAtZero = null, string? interfaceName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string extension = Path.GetExtension(path);
        if (extension.Equals(".pcapng", StringComparison.OrdinalIgnoreCase))
        {
            return new PcapNgWriter(path, wallClockAtZero, interfaceName);
        }

        if (extension.Equals(".pcap", StringComparison.OrdinalIgnoreCase) || extension.Equals(".cap", StringComparison.OrdinalIgnoreCase))
        {
            return new PcapWriter(path, wallClockAtZero);
        }

        throw new ArgumentException(
            $"Cannot tell the capture format of '{path}': name it .pcapng (with comments and directions) or .pcap/.cap (classic).",
            nameof(path));
    }

    internal static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, FileBufferSize);
    }
}
