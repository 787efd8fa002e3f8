using System.Buffers;
using System.Text;
using TinyStack.Http.Parsing;

namespace TinyStack.Http.Client;

/// <summary>
/// Reads HTTP/1.x responses from a stream, one after another (so pipelined responses can be read
/// in order): the head, then the body delimited by Content-Length, the chunked coding, or the end
/// of the stream (RFC 9112 §6.3). Interim 1xx responses are skipped.
/// </summary>
public sealed class HttpResponseReader : IDisposable
{
    private const int MaxHeadBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly InputBuffer _input = new(MaxHeadBytes + 4096);
    private readonly ChunkedDecoder _chunked = new();

    public HttpResponseReader(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Reads the next final response head (interim 1xx responses are skipped).</summary>
    public async ValueTask<HttpClientResponse> ReadHeadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            HttpClientResponse? head = TryParseHead(out int consumed);
            if (head is not null)
            {
                _input.Advance(consumed);
                if (head.StatusCode is >= 100 and < 200 && head.StatusCode != 101)
                {
                    continue;
                }

                return head;
            }

            Memory<byte> free = _input.GetFreeMemory();
            if (free.IsEmpty)
            {
                throw new InvalidDataException("The response head is larger than 64 KiB.");
            }

            int n = await _stream.ReadAsync(free, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException("The server closed the connection before a complete response head.");
            }

            _input.Commit(n);
        }
    }

    /// <summary>
    /// Reads the body of <paramref name="response"/> into <paramref name="destination"/> (or
    /// discards it when null) and returns its length.
    /// </summary>
    public async ValueTask<long> ReadBodyAsync(HttpClientResponse response, bool toHead, Stream? destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (toHead || response.StatusCode is 204 or 304)
        {
            return 0;
        }

        byte[] scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            if (response.IsChunked)
            {
                return await ReadChunkedAsync(destination, scratch, cancellationToken).ConfigureAwait(false);
            }

            long? length = response.ContentLength;
            long total = 0;
            while (length is null || total < length)
            {
                int want = length is long l ? (int)Math.Min(scratch.Length, l - total) : scratch.Length;
                int n = _input.Length > 0
                    ? _input.CopyTo(scratch.AsSpan(0, want), want)
                    : await _stream.ReadAsync(scratch.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    if (length is null)
                    {
                        break;
                    }

                    throw new EndOfStreamException($"The server closed the connection after {total} of {length} body bytes.");
                }

                if (destination is not null)
                {
                    await destination.WriteAsync(scratch.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }

                total += n;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Reads a whole response, the body into memory.</summary>
    public async ValueTask<(HttpClientResponse Response, byte[] Body)> ReadResponseAsync(bool toHead = false, CancellationToken cancellationToken = default)
    {
        HttpClientResponse response = await ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        using MemoryStream body = new();
        await ReadBodyAsync(response, toHead, body, cancellationToken).ConfigureAwait(false);
        return (response, body.ToArray());
    }

    public void Dispose() => _input.ReleaseIfEmpty();

    private async ValueTask<long> ReadChunkedAsync(Stream? destination, byte[] scratch, CancellationToken cancellationToken)
    {
        _chunked.Reset();
        long total = 0;
        while (true)
        {
            if (_input.Length > 0)
            {
                ChunkedStatus status = _chunked.Decode(_input.Span, scratch.Length, out int consumed, out int offset, out int length);
                if (status == ChunkedStatus.Data)
                {
                    _input.Span.Slice(offset, length).CopyTo(scratch);
                    _input.Advance(consumed);
                    if (destination is not null)
                    {
                        await destination.WriteAsync(scratch.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                    }

                    total += length;
                    continue;
                }

                _input.Advance(consumed);
                if (status == ChunkedStatus.End)
                {
                    return total;
                }

                if (status == ChunkedStatus.Error)
                {
                    throw new InvalidDataException($"Malformed chunked response body: {_chunked.Error.Reason}.");
                }
            }

            Memory<byte> free = _input.GetFreeMemory();
            int n = await _stream.ReadAsync(free, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException("The server closed the connection inside a chunked body.");
            }

            _input.Commit(n);
        }
    }

    /// <summary>status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4), then field lines.</summary>
    private HttpClientResponse? TryParseHead(out int consumed)
    {
        consumed = 0;
        ReadOnlySpan<byte> buffer = _input.Span;
        int end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return null;
        }

        ReadOnlySpan<byte> head = buffer[..(end + 2)];
        int lineEnd = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> statusLine = head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !int.TryParse(statusLine.Slice(9, 3), out int status) || (statusLine.Length > 12 && statusLine[12] != (byte)' '))
        {
            throw new InvalidDataException($"Malformed status line: {Encoding.Latin1.GetString(statusLine)}");
        }

        string version = Encoding.ASCII.GetString(statusLine[..8]);
        string reason = statusLine.Length > 13 ? Encoding.Latin1.GetString(statusLine[13..]) : string.Empty;
        List<KeyValuePair<string, string>> headers = [];
        ReadOnlySpan<byte> fields = head[(lineEnd + 2)..];
        while (!fields.IsEmpty)
        {
            int crlf = fields.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = fields[..crlf];
            if (!HttpChars.TryParseFieldLine(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out string why))
            {
                throw new InvalidDataException($"Malformed response header ({why}): {Encoding.Latin1.GetString(line)}");
            }

            headers.Add(new(Encoding.ASCII.GetString(name), Encoding.Latin1.GetString(value)));
            fields = fields[(crlf + 2)..];
        }

        consumed = end + 4;
        return new HttpClientResponse(version, status, reason, headers);
    }
}
