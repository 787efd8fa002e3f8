using TinyStack.Time;

namespace TinyStack.Host.Capture;

/// <summary>
/// Writes Ethernet frames to a capture file that Wireshark and tshark open. Timestamps are given
/// as <see cref="Instant"/>s and stored as wall-clock time: <see cref="WallClockAtZero"/> plus the
/// instant, so a capture shows real dates rather than 1970.
/// </summary>
public interface ICaptureWriter : IDisposable
{
    /// <summary>The wall-clock time that <see cref="Instant.Zero"/> stands for.</summary>
    DateTimeOffset WallClockAtZero { get; }

    /// <summary>Frames written so far.</summary>
    long FramesWritten { get; }

    /// <summary>
    /// Appends one frame. The comment and direction are kept where the format allows (pcapng) and
    /// ignored where it does not (classic pcap).
    /// </summary>
    void Write(ReadOnlySpan<byte> frame, Instant timestamp, CaptureDirection direction, string? comment = null);

    /// <summary>Pushes buffered frames to the file so that a reader sees them.</summary>
    void Flush();
}
