using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>
/// The option lists Linux puts on nearly every segment (net/ipv4/tcp_output.c, tcp_options_write,
/// which is also the layout <see cref="TcpOptions.WriteTo"/> produces), recognised whole by reading
/// a few fixed 4-byte words, so that <see cref="TcpOptions.TryParse"/> can read their values at
/// fixed offsets instead of walking the list.
/// </summary>
/// <remarks>
/// Walking costs more than these few bytes suggest: each option's length byte says where the next
/// option starts, so every step waits for a load, and every length must be checked. In a recognised
/// list each option has a known offset and a length already checked by the word comparisons.
/// A list that differs from these layouts in any byte that is not a value (kind, length, padding, the
/// list's length) is <see cref="Unknown"/> and is walked (RFC 9293 §3.2), which reads the same values.
/// </remarks>
internal static class TcpOptionLayout
{
    /// <summary>Not a list recognised here: walk it.</summary>
    public const int Unknown = 0;

    /// <summary>
    /// SYN and SYN-ACK, 20 bytes: <c>02 04 mm mm | 04 02 08 0a | vv vv vv vv | ee ee ee ee | 01 03 03 ss</c>:
    /// MSS; SACK-permitted (or NOP, NOP when SACK is off); timestamps; NOP, window scale.
    /// </summary>
    public const int Syn = 1;

    /// <summary>Every segment after the handshake when timestamps are on, 12 bytes: NOP, NOP, timestamps.</summary>
    public const int Timestamps = 2;

    /// <summary>
    /// An ACK during loss recovery: NOP, NOP, timestamps, then NOP, NOP, SACK with 1 to 3 blocks
    /// (24, 32 or 40 bytes; a fourth block does not fit beside the timestamps).
    /// </summary>
    public const int TimestampsAndSack = 3;

    public const int SynLength = 20;

    public const int TimestampsLength = 12;

    // Where the values are, from the start of the list.
    public const int SynMssOffset = 2;
    public const int SynSackPermittedKindOffset = 4;
    public const int SynTsValOffset = 8;
    public const int SynWindowScaleOffset = 19;
    public const int TimestampsTsValOffset = 4;
    public const int SackBlocksOffset = 16;

    // The fixed bytes, read as big-endian words: a byte of a value is masked off.
    private const uint MssKindAndLength = 0x0204_0000;
    private const uint MssKindAndLengthMask = 0xFFFF_0000;
    private const uint SackPermittedThenTimestampsKindAndLength = 0x0402_080A;
    private const uint NopNopThenTimestampsKindAndLength = 0x0101_080A;
    private const uint NopThenWindowScaleKindAndLength = 0x0103_0300;
    private const uint NopThenWindowScaleMask = 0xFFFF_FF00;
    private const uint NopNopThenSackKind = 0x0101_0500;
    private const int SynSecondWordOffset = 4;
    private const int SynLastWordOffset = 16;
    private const int SackWordOffset = 12;

    // NOP, NOP, SACK kind and length, then 8 bytes per block (RFC 2018 §3).
    private const int SackHeaderLength = 4;
    private const int SackKindAndLengthSize = 2;
    private const int SackBlockLength = 8;

    /// <summary>The layout of the whole option list <paramref name="options"/>, or <see cref="Unknown"/>.</summary>
    public static int Recognize(ReadOnlySpan<byte> options)
    {
        // Each layout has its own lengths, so the length picks the one layout to compare against.
        switch (options.Length)
        {
            case TimestampsLength:
                return BinaryPrimitives.ReadUInt32BigEndian(options) == NopNopThenTimestampsKindAndLength ? Timestamps : Unknown;
            case SynLength:
                return (BinaryPrimitives.ReadUInt32BigEndian(options) & MssKindAndLengthMask) == MssKindAndLength
                    && BinaryPrimitives.ReadUInt32BigEndian(options[SynSecondWordOffset..]) is SackPermittedThenTimestampsKindAndLength or NopNopThenTimestampsKindAndLength
                    && (BinaryPrimitives.ReadUInt32BigEndian(options[SynLastWordOffset..]) & NopThenWindowScaleMask) == NopThenWindowScaleKindAndLength
                    ? Syn
                    : Unknown;
            case TimestampsLength + SackHeaderLength + (1 * SackBlockLength):
            case TimestampsLength + SackHeaderLength + (2 * SackBlockLength):
            case TimestampsLength + SackHeaderLength + (3 * SackBlockLength):
                // The SACK option runs exactly to the end of the list.
                uint sackKindAndLength = NopNopThenSackKind | (uint)(options.Length - TimestampsLength - SackKindAndLengthSize);
                return BinaryPrimitives.ReadUInt32BigEndian(options) == NopNopThenTimestampsKindAndLength
                    && BinaryPrimitives.ReadUInt32BigEndian(options[SackWordOffset..]) == sackKindAndLength
                    ? TimestampsAndSack
                    : Unknown;
            default:
                return Unknown;
        }
    }
}
