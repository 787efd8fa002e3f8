namespace TinyStack.Http.Parsing;

/// <summary>
/// Decodes the chunked transfer coding (RFC 9112 §7.1) incrementally: framing is consumed as it
/// arrives and payload is reported as ranges of the input, so a body of any size streams through
/// without being buffered. Chunk extensions are skipped; trailer fields (§7.1.2) are validated like
/// header fields, counted, and discarded (none of them may change how the message is framed).
/// </summary>
public sealed class ChunkedDecoder
{
    // Sixteen hex digits would overflow a long; 15 allow chunks of up to 2^60 - 1 bytes.
    private const int MaxChunkSizeDigits = 15;

    private readonly HttpLimits _limits;
    private State _state;
    private long _chunkRemaining;
    private int _trailerBytes;

    public ChunkedDecoder(HttpLimits? limits = null)
    {
        _limits = limits ?? HttpLimits.Default;
    }

    private enum State : byte
    {
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailer,
        Done,
    }

    public RequestError Error { get; private set; }

    /// <summary>Trailer fields received with the last chunk.</summary>
    public int TrailerCount { get; private set; }

    public bool IsDone => _state == State.Done;

    public void Reset()
    {
        _state = State.ChunkSize;
        _chunkRemaining = 0;
        _trailerBytes = 0;
        TrailerCount = 0;
        Error = default;
    }

    /// <summary>
    /// Decodes from <paramref name="input"/>. On <see cref="ChunkedStatus.Data"/>, payload is
    /// input[dataOffset..dataOffset+dataLength] (at most <paramref name="maxData"/> bytes) and
    /// <paramref name="consumed"/> includes it; otherwise <paramref name="consumed"/> framing bytes
    /// are done with.
    /// </summary>
    public ChunkedStatus Decode(ReadOnlySpan<byte> input, int maxData, out int consumed, out int dataOffset, out int dataLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxData, 1);
        consumed = 0;
        dataOffset = 0;
        dataLength = 0;
        while (true)
        {
            ReadOnlySpan<byte> rest = input[consumed..];
            switch (_state)
            {
                case State.ChunkSize:
                {
                    int window = Math.Min(rest.Length, _limits.MaxChunkLineBytes);
                    int lf = rest[..window].IndexOf(HttpChars.Lf);
                    if (lf < 0)
                    {
                        return rest.Length >= _limits.MaxChunkLineBytes ? Fail("chunk size line too long") : ChunkedStatus.NeedMore;
                    }

                    if (lf == 0 || rest[lf - 1] != HttpChars.Cr)
                    {
                        return Fail("chunk size line not ended by CRLF");
                    }

                    if (!TryParseChunkSize(rest[..(lf - 1)], out long size))
                    {
                        return Fail("invalid chunk size");
                    }

                    consumed += lf + 1;
                    _chunkRemaining = size;
                    _state = size == 0 ? State.Trailer : State.ChunkData;
                    break;
                }

                case State.ChunkData:
                {
                    if (rest.IsEmpty)
                    {
                        return ChunkedStatus.NeedMore;
                    }

                    int n = (int)Math.Min(Math.Min(rest.Length, maxData), _chunkRemaining);
                    dataOffset = consumed;
                    dataLength = n;
                    consumed += n;
                    _chunkRemaining -= n;
                    if (_chunkRemaining == 0)
                    {
                        _state = State.ChunkDataEnd;
                    }

                    return ChunkedStatus.Data;
                }

                case State.ChunkDataEnd:
                {
                    // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
                    if (rest.Length < 2)
                    {
                        return rest.Length == 1 && rest[0] != HttpChars.Cr ? Fail("chunk data not followed by CRLF") : ChunkedStatus.NeedMore;
                    }

                    if (rest[0] != HttpChars.Cr || rest[1] != HttpChars.Lf)
                    {
                        return Fail("chunk data not followed by CRLF");
                    }

                    consumed += 2;
                    _state = State.ChunkSize;
                    break;
                }

                case State.Trailer:
                {
                    int allowance = _limits.MaxHeaderBytes - _trailerBytes;
                    int lf = rest[..Math.Min(rest.Length, allowance)].IndexOf(HttpChars.Lf);
                    if (lf < 0)
                    {
                        return rest.Length >= allowance ? Fail("trailer section too large") : ChunkedStatus.NeedMore;
                    }

                    if (lf == 0 || rest[lf - 1] != HttpChars.Cr)
                    {
                        return Fail("trailer line not ended by CRLF");
                    }

                    ReadOnlySpan<byte> line = rest[..(lf - 1)];
                    consumed += lf + 1;
                    if (line.IsEmpty)
                    {
                        _state = State.Done;
                        return ChunkedStatus.End;
                    }

                    if (TrailerCount == _limits.MaxHeaderCount)
                    {
                        return Fail("too many trailer fields");
                    }

                    if (!HttpChars.TryParseFieldLine(line, out _, out _, out string reason))
                    {
                        return Fail(reason);
                    }

                    TrailerCount++;
                    _trailerBytes += lf + 1;
                    break;
                }

                default:
                    return ChunkedStatus.End;
            }
        }
    }

    /// <summary>chunk-size = 1*HEXDIG, then optional BWS and chunk extensions (RFC 9112 §7.1.1).</summary>
    private static bool TryParseChunkSize(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        int i = 0;
        while (i < line.Length)
        {
            int digit = line[i] switch
            {
                >= (byte)'0' and <= (byte)'9' => line[i] - '0',
                >= (byte)'a' and <= (byte)'f' => line[i] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => line[i] - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                break;
            }

            if (i == MaxChunkSizeDigits)
            {
                return false;
            }

            size = (size << 4) | (uint)digit;
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        ReadOnlySpan<byte> extensions = HttpChars.TrimOws(line[i..]);
        return extensions.IsEmpty || (extensions[0] == (byte)';' && !extensions.ContainsAny(HttpChars.InvalidInValue));
    }

    private ChunkedStatus Fail(string reason)
    {
        Error = new RequestError(400, reason);
        return ChunkedStatus.Error;
    }
}
