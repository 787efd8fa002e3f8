using System.Buffers.Binary;
using System.Text;
using TinyStack.Time;

namespace TinyStack.Host.Capture;

/// <summary>
/// Writes pcapng (draft-ietf-opsawg-pcapng): one Section Header Block, one Interface Description
/// Block (Ethernet, microsecond timestamps) and an Enhanced Packet Block per frame, carrying the
/// direction in epb_flags and the comment (why a frame was sent, or why it was dropped) in
/// opt_comment, which Wireshark shows as frame.comment.
/// </summary>
public sealed class PcapNgWriter : CaptureFileWriter
{
    public const int SnapLength = PcapWriter.SnapLength;

    // Block types (section 4 and 11.1 of the draft).
    private const uint SectionHeaderBlockType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionBlockType = 0x00000001;
    private const uint EnhancedPacketBlockType = 0x00000006;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const ushort VersionMajor = 1;
    private const ushort VersionMinor = 0;

    // Option codes.
    private const ushort OptEndOfOpt = 0;
    private const ushort OptComment = 1;
    private const ushort ShbUserAppl = 4;
    private const ushort IfName = 2;
    private const ushort IfTsResol = 9;
    private const ushort EpbFlags = 2;

    /// <summary>if_tsresol = 6: timestamps count 10^-6 seconds.</summary>
    private const byte MicrosecondResolution = 6;

    private const int EnhancedPacketHeaderLength = 28;
    private const int MaxOptionLength = ushort.MaxValue;
    private const string Application = "TinyStack";

    private byte[] _block = new byte[2048];

    /// <summary>Creates (or overwrites) <paramref name="path"/>.</summary>
    /// <param name="wallClockAtZero">Wall-clock time of <see cref="Instant.Zero"/>; now when null.</param>
    /// <param name="interfaceName">Stored as if_name, e.g. "tap0"; omitted when null.</param>
    public PcapNgWriter(string path, DateTimeOffset? wallClockAtZero = null, string? interfaceName = null)
        : this(CaptureWriter.OpenFile(path), wallClockAtZero, interfaceName, leaveOpen: false)
    {
    }

    public PcapNgWriter(Stream stream, DateTimeOffset? wallClockAtZero = null, string? interfaceName = null, bool leaveOpen = false)
        : base(stream, wallClockAtZero, leaveOpen)
    {
        WriteSectionHeader();
        WriteInterfaceDescription(interfaceName);
    }

    protected override void WriteRecord(ReadOnlySpan<byte> frame, long unixMicroseconds, CaptureDirection direction, string? comment)
    {
        int captured = Math.Min(frame.Length, SnapLength);
        comment = FitOption(comment);
        int commentLength = comment is null ? 0 : Encoding.UTF8.GetByteCount(comment);
        int length = EnhancedPacketHeaderLength + Pad4(captured)
            + (direction == CaptureDirection.Unknown ? 0 : 8)
            + (comment is null ? 0 : 4 + Pad4(commentLength))
            + 4   // opt_endofopt
            + 4;  // trailing block length
        Span<byte> block = Block(length);

        // Timestamps are one 64-bit count of if_tsresol units, stored high word first.
        ulong micros = (ulong)unixMicroseconds;
        BinaryPrimitives.WriteUInt32LittleEndian(block, EnhancedPacketBlockType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], 0); // interface 0: the one IDB
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], (uint)(micros >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(block[16..], (uint)micros);
        BinaryPrimitives.WriteUInt32LittleEndian(block[20..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(block[24..], (uint)frame.Length);
        frame[..captured].CopyTo(block[EnhancedPacketHeaderLength..]);
        int offset = EnhancedPacketHeaderLength + Pad4(captured);

        if (direction != CaptureDirection.Unknown)
        {
            // epb_flags bits 0-1: 01 inbound, 10 outbound.
            offset = WriteOptionHeader(block, offset, EpbFlags, 4);
            BinaryPrimitives.WriteUInt32LittleEndian(block[offset..], (uint)direction);
            offset += 4;
        }

        if (comment is not null)
        {
            offset = WriteOptionHeader(block, offset, OptComment, commentLength);
            Encoding.UTF8.GetBytes(comment.AsSpan(), block.Slice(offset, commentLength));
            offset += Pad4(commentLength);
        }

        offset = WriteOptionHeader(block, offset, OptEndOfOpt, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(block[offset..], (uint)length);
        Stream.Write(block);
    }


    private static int Pad4(int length) => (length + 3) & ~3;

    /// <summary>An option value is at most 65535 bytes: cut longer text (a UTF-8 char is at most 3 bytes per UTF-16 unit).</summary>
    private static string? FitOption(string? text) =>
        text is null || Encoding.UTF8.GetByteCount(text) <= MaxOptionLength ? text : text[..(MaxOptionLength / 3)];

    private static int WriteOptionHeader(Span<byte> block, int offset, ushort code, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(block[offset..], code);
        BinaryPrimitives.WriteUInt16LittleEndian(block[(offset + 2)..], (ushort)length);
        return offset + 4;
    }

    private void WriteSectionHeader()
    {
        int appLength = Encoding.UTF8.GetByteCount(Application);
        int length = 24 + 4 + Pad4(appLength) + 4 + 4;
        Span<byte> block = Block(length);
        BinaryPrimitives.WriteUInt32LittleEndian(block, SectionHeaderBlockType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(block[12..], VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(block[14..], VersionMinor);
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], -1); // section length not known
        int offset = WriteOptionHeader(block, 24, ShbUserAppl, appLength);
        Encoding.UTF8.GetBytes(Application, block[offset..]);
        offset += Pad4(appLength);
        offset = WriteOptionHeader(block, offset, OptEndOfOpt, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(block[offset..], (uint)length);
        Stream.Write(block);
    }

    private void WriteInterfaceDescription(string? interfaceName)
    {
        interfaceName = FitOption(interfaceName);
        int nameLength = interfaceName is null ? 0 : Encoding.UTF8.GetByteCount(interfaceName);
        int length = 16 + (interfaceName is null ? 0 : 4 + Pad4(nameLength)) + 8 + 4 + 4;
        Span<byte> block = Block(length);
        BinaryPrimitives.WriteUInt32LittleEndian(block, InterfaceDescriptionBlockType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(block[8..], (ushort)PcapWriter.LinkTypeEthernet);
        BinaryPrimitives.WriteUInt16LittleEndian(block[10..], 0); // reserved
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], SnapLength);
        int offset = 16;
        if (interfaceName is not null)
        {
            offset = WriteOptionHeader(block, offset, IfName, nameLength);
            Encoding.UTF8.GetBytes(interfaceName.AsSpan(), block.Slice(offset, nameLength));
            offset += Pad4(nameLength);
        }

        // Microseconds is the default resolution; stating it keeps every reader on the same page.
        offset = WriteOptionHeader(block, offset, IfTsResol, 1);
        block[offset] = MicrosecondResolution;
        offset += 4;
        offset = WriteOptionHeader(block, offset, OptEndOfOpt, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(block[offset..], (uint)length);
        Stream.Write(block);
    }

    /// <summary>A zeroed scratch span of <paramref name="length"/> bytes (padding must be zero).</summary>
    private Span<byte> Block(int length)
    {
        if (_block.Length < length)
        {
            _block = new byte[Math.Max(length, _block.Length * 2)];
        }

        Span<byte> block = _block.AsSpan(0, length);
        block.Clear();
        return block;
    }
}
