using System.Buffers.Binary;
using TinyStack.Time;

namespace TinyStack.Host.Capture;

/// <summary>
/// Writes the classic libpcap format (https://wiki.wireshark.org/Development/LibpcapFileFormat):
/// a 24-byte global header, then per frame a 16-byte record header and the bytes. Link type
/// Ethernet, microsecond timestamps, little-endian. The format has no comments or directions.
/// </summary>
public sealed class PcapWriter : CaptureFileWriter
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


    /// <summary>Creates (or overwrites) <paramref name="path"/>.</summary>
    /// <param name="wallClockAtZero">Wall-clock time of <see cref="Instant.Zero"/>; now when null.</param>
    public PcapWriter(string path, DateTimeOffset? wallClockAtZero = null)
        : this(CaptureWriter.OpenFile(path), wallClockAtZero, leaveOpen: false)
    {
    }

    public PcapWriter(Stream stream, DateTimeOffset? wallClockAtZero = null, bool leaveOpen = false)
        : base(stream, wallClockAtZero, leaveOpen)
    {

        Span<byte> header = stackalloc byte[GlobalHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);   // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs: always 0
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        Stream.Write(header);
    }

    protected override void WriteRecord(ReadOnlySpan<byte> frame, long unixMicroseconds, CaptureDirection direction, string? comment)
    {
        int captured = Math.Min(frame.Length, SnapLength);

        Span<byte> record = stackalloc byte[RecordHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(unixMicroseconds / MicrosecondsPerSecond));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(unixMicroseconds % MicrosecondsPerSecond));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
        Stream.Write(record);
        Stream.Write(frame[..captured]);
    }

}
