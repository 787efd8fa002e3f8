using TinyStack.Time;

namespace TinyStack.Host.Capture;

/// <summary>
/// What the capture formats share: the stream, the wall-clock time of <see cref="Instant.Zero"/>,
/// the frame count, flushing and disposal. A format writes its file header in its constructor and
/// one record per frame in <see cref="WriteRecord"/>.
/// </summary>
public abstract class CaptureFileWriter : ICaptureWriter
{
    private readonly bool _leaveOpen;
    private readonly long _unixMicrosecondsAtZero;
    private long _framesWritten;
    private bool _disposed;

    /// <param name="wallClockAtZero">Wall-clock time of <see cref="Instant.Zero"/>; now when null.</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open when this writer is disposed.</param>
    protected CaptureFileWriter(Stream stream, DateTimeOffset? wallClockAtZero, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stream = stream;
        _leaveOpen = leaveOpen;
        WallClockAtZero = wallClockAtZero ?? DateTimeOffset.UtcNow;
        _unixMicrosecondsAtZero = CaptureTime.UnixMicroseconds(WallClockAtZero);
    }

    public DateTimeOffset WallClockAtZero { get; }

    public long FramesWritten => _framesWritten;

    /// <summary>Where the file's bytes go.</summary>
    protected Stream Stream { get; }

    public void Write(ReadOnlySpan<byte> frame, Instant timestamp, CaptureDirection direction, string? comment = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteRecord(frame, CaptureTime.UnixMicroseconds(_unixMicrosecondsAtZero, timestamp), direction, comment);
        _framesWritten++;
    }

    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Stream.Flush();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Stream.Flush();
        if (!_leaveOpen)
        {
            Stream.Dispose();
        }
    }

    /// <summary>Appends one frame's record, stamped <paramref name="unixMicroseconds"/> after 1970-01-01 UTC.</summary>
    protected abstract void WriteRecord(ReadOnlySpan<byte> frame, long unixMicroseconds, CaptureDirection direction, string? comment);
}
