using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using TinyStack.Tcp;

namespace TinyStack.Wire;

/// <summary>
/// The TCP options the stack understands, as values: MSS (RFC 9293 §3.7.1), window scale
/// (RFC 7323 §2), SACK-permitted and up to four SACK blocks (RFC 2018), timestamps (RFC 7323 §3).
/// The SACK blocks are stored inline, so the value never allocates. <c>default</c> means no options.
/// </summary>
public readonly record struct TcpOptions
{
    /// <summary>The data offset field allows 60 header bytes, 20 of them fixed.</summary>
    public const int MaxLength = 40;

    /// <summary>A SACK option of 2 + 8n bytes fits n = 4 blocks in 40 bytes (RFC 2018 §3).</summary>
    public const int MaxSackBlocks = 4;

    private const int MssLength = 4;
    private const int WindowScaleLength = 3;
    private const int SackPermittedLength = 2;
    private const int TimestampsLength = 10;
    private const int SackBaseLength = 2;
    private const int SackBlockLength = 8;

    // The longest list WriteTo could be asked to produce, for formatting a list that is too long.
    private const int MaxUncheckedLength = 4 + 12 + 4 + 4 + (MaxSackBlocks * SackBlockLength);

    public ushort? Mss { get; init; }

    public byte? WindowScale { get; init; }

    public bool SackPermitted { get; init; }

    public TcpTimestamps? Timestamps { get; init; }

    /// <summary>How many SACK blocks are present (0..4); read them with <see cref="GetSackBlock"/>.</summary>
    public int SackBlockCount { get; private init; }

    private SackBlock Sack0 { get; init; }

    private SackBlock Sack1 { get; init; }

    private SackBlock Sack2 { get; init; }

    private SackBlock Sack3 { get; init; }

    public SackBlock GetSackBlock(int index)
    {
        if ((uint)index >= (uint)SackBlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {SackBlockCount} SACK blocks; check SackBlockCount first.");
        }

        return index switch
        {
            0 => Sack0,
            1 => Sack1,
            2 => Sack2,
            _ => Sack3,
        };
    }

    /// <summary>Copies the SACK blocks into <paramref name="destination"/> and returns how many there were.</summary>
    public int CopySackBlocksTo(Span<SackBlock> destination)
    {
        if (destination.Length < SackBlockCount)
        {
            throw new ArgumentException($"There are {SackBlockCount} SACK blocks but the destination holds {destination.Length}; pass MaxSackBlocks entries.", nameof(destination));
        }

        for (int i = 0; i < SackBlockCount; i++)
        {
            destination[i] = GetSackBlock(i);
        }

        return SackBlockCount;
    }

    /// <summary>A copy carrying <paramref name="blocks"/> (first block first; RFC 2018 §4 wants the most recent first).</summary>
    public TcpOptions WithSackBlocks(ReadOnlySpan<SackBlock> blocks)
    {
        if (blocks.Length > MaxSackBlocks)
        {
            throw new ArgumentException($"At most {MaxSackBlocks} SACK blocks fit in a TCP header (3 with timestamps); got {blocks.Length}.", nameof(blocks));
        }

        return this with
        {
            SackBlockCount = blocks.Length,
            Sack0 = blocks.Length > 0 ? blocks[0] : default,
            Sack1 = blocks.Length > 1 ? blocks[1] : default,
            Sack2 = blocks.Length > 2 ? blocks[2] : default,
            Sack3 = blocks.Length > 3 ? blocks[3] : default,
        };
    }

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => this == default;

    /// <summary>Bytes <see cref="WriteTo"/> produces; always a multiple of 4.</summary>
    public int EncodedLength =>
        (Mss.HasValue ? MssLength : 0)
        + (Timestamps.HasValue ? 12 : SackPermitted ? 4 : 0)
        + (WindowScale.HasValue ? 4 : 0)
        + (SackBlockCount > 0 ? 2 + SackBaseLength + (SackBlockCount * SackBlockLength) : 0);

    /// <summary>
    /// Writes the options in the layout Linux uses (net/ipv4/tcp_output.c tcp_options_write), so that
    /// every option lands 4-byte aligned and no trailing padding is ever needed:
    /// MSS; SACK-permitted merged into the timestamps' two leading pad bytes (or NOP,NOP,SACK-permitted);
    /// NOP,window scale; NOP,NOP,SACK blocks. Returns the number of bytes written.
    /// </summary>
    public int WriteTo(Span<byte> destination)
    {
        int length = EncodedLength;
        if (length > MaxLength)
        {
            throw new InvalidOperationException($"These TCP options need {length} bytes but a header holds {MaxLength}; send fewer SACK blocks (3 fit with timestamps).");
        }

        if (destination.Length < length)
        {
            throw new ArgumentException($"These TCP options need {length} bytes but the buffer has {destination.Length}.", nameof(destination));
        }

        return WriteUnchecked(destination);
    }

    /// <summary>
    /// Parses an option list. Unknown options, and known ones with the wrong length, are skipped by
    /// their length (as Linux does); a length below 2 or running past the list makes it fail, and
    /// the caller drops the segment as TcpBadOptions. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> options, out TcpOptions result)
    {
        // The lists Linux sends on almost every segment are read at their fixed offsets (see
        // TcpOptionLayout); the values are the ones the walk would find. Most common first.
        int layout = TcpOptionLayout.Recognize(options);
        if (layout == TcpOptionLayout.Timestamps)
        {
            result = new TcpOptions { Timestamps = ReadTimestamps(options[TcpOptionLayout.TimestampsTsValOffset..]) };
            return true;
        }

        if (layout == TcpOptionLayout.Syn)
        {
            result = new TcpOptions
            {
                Mss = BinaryPrimitives.ReadUInt16BigEndian(options[TcpOptionLayout.SynMssOffset..]),
                SackPermitted = options[TcpOptionLayout.SynSackPermittedKindOffset] == TcpOptionKind.SackPermitted,
                Timestamps = ReadTimestamps(options[TcpOptionLayout.SynTsValOffset..]),
                WindowScale = options[TcpOptionLayout.SynWindowScaleOffset],
            };
            return true;
        }

        if (layout == TcpOptionLayout.TimestampsAndSack)
        {
            result = ReadTimestampsAndSack(options);
            return true;
        }

        return TryParseByWalking(options, out result);
    }

    /// <summary>The general parser: walks any list option by option (RFC 9293 §3.2).</summary>
    internal static bool TryParseByWalking(ReadOnlySpan<byte> options, out TcpOptions result)
    {
        ushort? mss = null;
        byte? windowScale = null;
        bool sackPermitted = false;
        TcpTimestamps? timestamps = null;
        ReadOnlySpan<byte> sack = default;

        var enumerator = new TcpOptionEnumerator(options);
        while (enumerator.MoveNext())
        {
            TcpOption option = enumerator.Current;
            ReadOnlySpan<byte> data = option.Data;
            switch (option.Kind)
            {
                case TcpOptionKind.MaximumSegmentSize when data.Length == MssLength - 2:
                    mss = BinaryPrimitives.ReadUInt16BigEndian(data);
                    break;
                case TcpOptionKind.WindowScale when data.Length == WindowScaleLength - 2:
                    windowScale = data[0];
                    break;
                case TcpOptionKind.SackPermitted when data.Length == SackPermittedLength - 2:
                    sackPermitted = true;
                    break;
                case TcpOptionKind.Timestamps when data.Length == TimestampsLength - 2:
                    timestamps = ReadTimestamps(data);
                    break;
                case TcpOptionKind.Sack when data.Length > 0 && data.Length % SackBlockLength == 0:
                    sack = data;
                    break;
                default:
                    break;
            }
        }

        if (enumerator.IsMalformed)
        {
            result = default;
            return false;
        }

        int count = Math.Min(sack.Length / SackBlockLength, MaxSackBlocks);
        result = new TcpOptions
        {
            Mss = mss,
            WindowScale = windowScale,
            SackPermitted = sackPermitted,
            Timestamps = timestamps,
            SackBlockCount = count,
            Sack0 = count > 0 ? ReadSackBlock(sack, 0) : default,
            Sack1 = count > 1 ? ReadSackBlock(sack, 1) : default,
            Sack2 = count > 2 ? ReadSackBlock(sack, 2) : default,
            Sack3 = count > 3 ? ReadSackBlock(sack, 3) : default,
        };
        return true;
    }

    /// <summary>tcpdump style, in wire order: <c>&lt;mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7&gt;</c>.</summary>
    public override string ToString()
    {
        Span<byte> encoded = stackalloc byte[MaxUncheckedLength];
        int length = WriteUnchecked(encoded);
        var text = new StringBuilder(64);
        text.Append('<');
        AppendList(text, encoded[..length]);
        text.Append('>');
        return text.ToString();
    }

    /// <summary>Appends a wire-format option list the way tcpdump prints it; "[bad opt]" marks a malformed length.</summary>
    internal static void AppendList(StringBuilder text, ReadOnlySpan<byte> options)
    {
        var enumerator = new TcpOptionEnumerator(options);
        bool first = true;
        while (enumerator.MoveNext())
        {
            if (!first)
            {
                text.Append(',');
            }

            first = false;
            AppendOption(text, enumerator.Current);
        }

        if (enumerator.IsMalformed)
        {
            text.Append(first ? "[bad opt]" : ",[bad opt]");
        }
    }

    private static void AppendOption(StringBuilder text, TcpOption option)
    {
        ReadOnlySpan<byte> data = option.Data;
        switch (option.Kind)
        {
            case TcpOptionKind.EndOfList:
                text.Append("eol");
                return;
            case TcpOptionKind.NoOperation:
                text.Append("nop");
                return;
            case TcpOptionKind.MaximumSegmentSize when data.Length == 2:
                text.Append($"mss {BinaryPrimitives.ReadUInt16BigEndian(data)}");
                return;
            case TcpOptionKind.WindowScale when data.Length == 1:
                text.Append($"wscale {data[0]}");
                return;
            case TcpOptionKind.SackPermitted when data.Length == 0:
                text.Append("sackOK");
                return;
            case TcpOptionKind.Timestamps when data.Length == 8:
                text.Append($"TS val {BinaryPrimitives.ReadUInt32BigEndian(data)} ecr {BinaryPrimitives.ReadUInt32BigEndian(data[4..])}");
                return;
            case TcpOptionKind.Sack when data.Length > 0 && data.Length % SackBlockLength == 0:
                int count = data.Length / SackBlockLength;
                text.Append($"sack {count}");
                for (int i = 0; i < count; i++)
                {
                    text.Append($" {{{ReadSackBlock(data, i)}}}");
                }

                return;
            default:
                text.Append($"opt-{option.Kind}");
                if (!data.IsEmpty)
                {
                    text.Append(' ').Append(Convert.ToHexStringLower(data));
                }

                return;
        }
    }

    /// <summary>A list of the layout <see cref="TcpOptionLayout.TimestampsAndSack"/> (1 to 3 SACK blocks).</summary>
    private static TcpOptions ReadTimestampsAndSack(ReadOnlySpan<byte> options)
    {
        ReadOnlySpan<byte> blocks = options[TcpOptionLayout.SackBlocksOffset..];
        int count = blocks.Length / SackBlockLength;
        return new TcpOptions
        {
            Timestamps = ReadTimestamps(options[TcpOptionLayout.TimestampsTsValOffset..]),
            SackBlockCount = count,
            Sack0 = ReadSackBlock(blocks, 0),
            Sack1 = count > 1 ? ReadSackBlock(blocks, 1) : default,
            Sack2 = count > 2 ? ReadSackBlock(blocks, 2) : default,
        };
    }

    /// <summary>TSval then TSecr (RFC 7323 §3.2), from the first 8 bytes of <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TcpTimestamps ReadTimestamps(ReadOnlySpan<byte> data) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(data), BinaryPrimitives.ReadUInt32BigEndian(data[4..]));

    private static SackBlock ReadSackBlock(ReadOnlySpan<byte> data, int index)
    {
        ReadOnlySpan<byte> block = data.Slice(index * SackBlockLength, SackBlockLength);
        return new SackBlock(new SeqNumber(BinaryPrimitives.ReadUInt32BigEndian(block)), new SeqNumber(BinaryPrimitives.ReadUInt32BigEndian(block[4..])));
    }

    private int WriteUnchecked(Span<byte> destination)
    {
        int offset = 0;
        if (Mss is ushort mss)
        {
            destination[offset++] = TcpOptionKind.MaximumSegmentSize;
            destination[offset++] = MssLength;
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], mss);
            offset += 2;
        }

        if (Timestamps is TcpTimestamps timestamps)
        {
            // The timestamps need two bytes of alignment; SACK-permitted (2 bytes) fills them if present.
            if (SackPermitted)
            {
                destination[offset++] = TcpOptionKind.SackPermitted;
                destination[offset++] = SackPermittedLength;
            }
            else
            {
                destination[offset++] = TcpOptionKind.NoOperation;
                destination[offset++] = TcpOptionKind.NoOperation;
            }

            destination[offset++] = TcpOptionKind.Timestamps;
            destination[offset++] = TimestampsLength;
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], timestamps.TsVal);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], timestamps.TsEcr);
            offset += 8;
        }
        else if (SackPermitted)
        {
            destination[offset++] = TcpOptionKind.NoOperation;
            destination[offset++] = TcpOptionKind.NoOperation;
            destination[offset++] = TcpOptionKind.SackPermitted;
            destination[offset++] = SackPermittedLength;
        }

        if (WindowScale is byte shift)
        {
            destination[offset++] = TcpOptionKind.NoOperation;
            destination[offset++] = TcpOptionKind.WindowScale;
            destination[offset++] = WindowScaleLength;
            destination[offset++] = shift;
        }

        if (SackBlockCount > 0)
        {
            destination[offset++] = TcpOptionKind.NoOperation;
            destination[offset++] = TcpOptionKind.NoOperation;
            destination[offset++] = TcpOptionKind.Sack;
            destination[offset++] = (byte)(SackBaseLength + (SackBlockCount * SackBlockLength));
            for (int i = 0; i < SackBlockCount; i++)
            {
                SackBlock block = GetSackBlock(i);
                BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], block.Left.Value);
                BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], block.Right.Value);
                offset += SackBlockLength;
            }
        }

        return offset;
    }
}
