using System.Buffers.Binary;
using TinyStack.Time;

namespace TinyStack.Host.Capture;

/// <summary>
/// Writes the classic libpcap format (https://wiki.wireshark.org/Development/LibpcapFileFormat):
/// a 24-byte global header, then per frame a 16-byte record header and the bytes. Link type
/// Ethernet, microsecond timestamps, little-endian. The format has no comments or directions.
/// </summary>
public sealed class PcapWriter : ICaptureWriter
{
    /// <summary>Largest frame stored whole; longer ones are truncated (Wireshark's default).</summary>
    public const int SnapLength = 262144;

    /// <summary>LINKTYPE_ETHERNET (https://www.tcpdump.org/linktypes.html).</summary>
    public const uint LinkTypeEthernet = 1;

    // Written little-endian, a reader sees D4 C3 B2 A1 and knows both the byte order and that the
    // timestamps are in microseconds.
    private const uint MagicMicroseconds = 0xA1B2C3D4;
    private const ushort VersionMajor = 2;
    private const ushort VersionMinor = 4;
    private const int GlobalHeaderLength = 24;
    private const int RecordHeaderLength = 16;
    private const long MicrosecondsPerSecond = 1_000_000;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _unixMicrosecondsAtZero;
    private long _framesWritten;
    private bool _disposed;

    /// <summary>Creates (or overwrites) <paramref name="path"/>.</summary>
    /// <param name="wallClockAtZero">Wall-clock time of <see cref="Instant.Zero"/>; now when null.</param>
    public PcapWriter(string path, DateTimeOffset? wallClockAtZero = null)
        : this(CaptureWriter.OpenFile(path), wallClockAtZero, leaveOpen: false)
    {
    }

    public PcapWriter(Stream stream, DateTimeOffset? wallClockAtZero = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        WallClockAtZero = wallClockAtZero ?? DateTimeOffset.UtcNow;
        _unixMicrosecondsAtZero = CaptureTime.UnixMicroseconds(WallClockAtZero);

        Span<byte> header = stackalloc byte[GlobalHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);   // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs: always 0
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        _stream.Write(header);
    }

    public DateTimeOffset WallClockAtZero { get; }

    public long FramesWritten => _framesWritten;

    public void Write(ReadOnlySpan<byte> frame, Instant timestamp, CaptureDirection direction, string? comment = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long micros = CaptureTime.UnixMicroseconds(_unixMicrosecondsAtZero, timestamp);
        int captured = Math.Min(frame.Length, SnapLength);

        Span<byte> record = stackalloc byte[RecordHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / MicrosecondsPerSecond));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(micros % MicrosecondsPerSecond));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
        _stream.Write(record);
        _stream.Write(frame[..captured]);
        _framesWritten++;
    }

    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _stream.Flush();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
