using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace TinyStack.Http;

/// <summary>
/// The response to one request. Set <see cref="StatusCode"/>, <see cref="ContentType"/> and
/// <see cref="Headers"/>, then write the body. The head goes out with the first bytes of the body
/// that do not fit in the response buffer, or when the handler returns: a response that fits
/// (16 KiB) is sent in one write with a Content-Length; a larger one without a
/// <see cref="ContentLength"/> is sent chunked (or, to an HTTP/1.0 client, delimited by closing
/// the connection). To a HEAD request the head is the one a GET would get, without the body.
/// </summary>
public sealed class HttpResponse
{
    /// <summary>Room before the body in the buffer, where the head and a chunk-size line are placed so that one write sends them with the body.</summary>
    private const int Reserve = 2048;

    private const int BufferSize = 16 * 1024;

    /// <summary>Room after the body for a chunk's CRLF and the last chunk ("0\r\n\r\n").</summary>
    private const int TailRoom = 8;

    /// <summary>Room for a chunk-size line: up to 8 hex digits and CRLF.</summary>
    private const int ChunkLineRoom = 10;

    private readonly HttpConnection _connection;
    private readonly ResponseBodyStream _bodyStream;
    private byte[]? _buffer;
    private int _bodyEnd = Reserve;
    private int _statusCode = 200;
    private bool _headSent;
    private bool _chunked;
    private bool _completed;
    private bool _isHead;
    private bool _requestKeepAlive;
    private HttpProtocol _protocol;
    private long _bodyBytes;
    private bool _keepAlive;

    internal HttpResponse(HttpConnection connection)
    {
        _connection = connection;
        _bodyStream = new ResponseBodyStream(this);
    }

    /// <summary>The status code (200 unless set). Cannot change once the head has been sent.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 200);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 599);
            _statusCode = value;
        }
    }

    public string? ContentType { get; set; }

    /// <summary>
    /// The body's length when known in advance (e.g. a file, or /bytes/{n}): the body is then
    /// written straight through, never chunked. When null, it is computed if the body fits in the
    /// buffer, and the body is chunked otherwise.
    /// </summary>
    public long? ContentLength
    {
        get;
        set
        {
            ThrowIfStarted();
            ArgumentOutOfRangeException.ThrowIfNegative(value ?? 0);
            field = value;
        }
    }

    public HttpResponseHeaders Headers { get; } = new();

    /// <summary>True once the head has been sent: status and headers are then fixed.</summary>
    public bool HasStarted => _headSent;

    /// <summary>Ask for the connection to be closed after this response (sends Connection: close).</summary>
    public bool CloseConnection { get; set; }

    /// <summary>The body as a write-only stream (for CopyToAsync, serializers...).</summary>
    public Stream Body => _bodyStream;

    /// <summary>Body bytes written so far (for HEAD, those a GET would have sent).</summary>
    public long BodyBytesWritten => _bodyBytes;

    /// <summary>True when the connection stays open after this response (decided when the head is sent).</summary>
    internal bool KeepAlive => _keepAlive;

    internal bool IsCompleted => _completed;

    /// <summary>True when the body is not sent (HEAD, or a status without body).</summary>
    internal bool BodySuppressed => _isHead || !StatusAllowsBody(_statusCode);

    /// <summary>Writes body bytes. Completes at once while they fit in the buffer.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The response is complete: write the body before the handler returns.");
        }

        if (!StatusAllowsBody(_statusCode))
        {
            if (data.IsEmpty)
            {
                return ValueTask.CompletedTask;
            }

            throw new InvalidOperationException($"A {_statusCode} response has no body.");
        }

        if (ContentLength is long declared && _bodyBytes + data.Length > declared)
        {
            throw new InvalidOperationException($"Writing {data.Length} more bytes would exceed the declared ContentLength {declared}.");
        }

        _bodyBytes += data.Length;
        if (_isHead || data.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        byte[] buffer = EnsureBuffer();
        if (data.Length <= BufferSize - TailRoom - _bodyEnd)
        {
            data.Span.CopyTo(buffer.AsSpan(_bodyEnd));
            _bodyEnd += data.Length;
            return ValueTask.CompletedTask;
        }

        return WriteSlowAsync(data, cancellationToken);
    }

    /// <summary>Writes text as UTF-8.</summary>
    public ValueTask WriteAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 4096)
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent(max);
            int length = Encoding.UTF8.GetBytes(text, rented);
            ValueTask pending = WriteAsync(rented.AsMemory(0, length), cancellationToken);
            if (pending.IsCompletedSuccessfully)
            {
                ArrayPool<byte>.Shared.Return(rented);
                return pending;
            }

            return ReturnAfter(pending, rented);
        }

        return WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>Sends the head and what is buffered now, e.g. before a long pause in a streamed body.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_completed || _isHead)
        {
            return ValueTask.CompletedTask;
        }

        return FlushCoreAsync(final: false, cancellationToken);
    }

    internal void Begin(HttpProtocol protocol, bool isHead, bool requestKeepAlive)
    {
        _protocol = protocol;
        _isHead = isHead;
        _requestKeepAlive = requestKeepAlive;
        _headSent = false;
        _statusCode = 200;
        ContentType = null;
        ContentLength = null;
        Headers.Clear();
        CloseConnection = false;
        _chunked = false;
        _completed = false;
        _keepAlive = false;
        _bodyBytes = 0;
        _bodyEnd = Reserve;
    }

    /// <summary>Finishes the response: sends the head if not yet sent, the rest of the body, and the last chunk.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (!BodySuppressed && ContentLength is long declared && _bodyBytes != declared)
        {
            // The framing promised more than was written: the message cannot end correctly.
            throw new InvalidOperationException($"The handler wrote {_bodyBytes} body bytes but declared ContentLength {declared}.");
        }

        await FlushCoreAsync(final: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives the buffer back to the pool (between requests an idle connection holds none).</summary>
    internal void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    internal static bool StatusAllowsBody(int status) => status is >= 200 and not 204 and not 304;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteSlowAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (ContentLength is not null && data.Length >= BufferSize - Reserve)
        {
            // Known length and a large write: send what is buffered, then the caller's bytes as they are.
            await FlushCoreAsync(final: false, cancellationToken).ConfigureAwait(false);
            await _connection.SendAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }

        while (!data.IsEmpty)
        {
            int room = BufferSize - TailRoom - _bodyEnd;
            int n = Math.Min(room, data.Length);
            data.Span[..n].CopyTo(_buffer.AsSpan(_bodyEnd));
            _bodyEnd += n;
            data = data[n..];
            if (_bodyEnd == BufferSize - TailRoom)
            {
                await FlushCoreAsync(final: false, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Sends [head][chunk-size line][buffered body][CRLF][last chunk] in one write, each part
    /// present when due: the head and the size line are written right-aligned before the body.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushCoreAsync(bool final, CancellationToken cancellationToken)
    {
        EnsureBuffer();
        (int start, int end, byte[]? separateHead, int separateHeadLength) = Frame(final);
        if (separateHead is not null)
        {
            try
            {
                await _connection.SendAsync(separateHead.AsMemory(0, separateHeadLength), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(separateHead);
            }
        }

        if (end > start)
        {
            await _connection.SendAsync(_buffer.AsMemory(start, end - start), cancellationToken).ConfigureAwait(false);
        }
    }

    private (int Start, int End, byte[]? SeparateHead, int SeparateHeadLength) Frame(bool final)
    {
        byte[] buffer = _buffer!;
        int bodyLength = _bodyEnd - Reserve;
        int start = Reserve;
        int end = _bodyEnd;
        _bodyEnd = Reserve;
        bool sendHead = !_headSent;
        if (sendHead)
        {
            if (final && ContentLength is null && StatusAllowsBody(_statusCode))
            {
                // The whole body is known (or, for HEAD, counted): say how long it is.
                ContentLength = _bodyBytes;
            }

            ChooseFraming();
            _headSent = true;
        }

        if (_chunked && bodyLength > 0)
        {
            // chunk = chunk-size CRLF chunk-data CRLF (RFC 9112 §7.1), the size line right before the data.
            Span<byte> line = stackalloc byte[ChunkLineRoom];
            HeadWriter writer = new(line);
            writer.AppendHex(bodyLength);
            writer.Append("\r\n"u8);
            start = Reserve - writer.Length;
            line[..writer.Length].CopyTo(buffer.AsSpan(start));
            "\r\n"u8.CopyTo(buffer.AsSpan(end));
            end += 2;
        }

        if (final && _chunked)
        {
            // last-chunk and an empty trailer section.
            "0\r\n\r\n"u8.CopyTo(buffer.AsSpan(end));
            end += 5;
        }

        if (!sendHead)
        {
            return (start, end, null, 0);
        }

        int headLength = WriteHead(buffer.AsSpan(0, start));
        if (headLength >= 0)
        {
            buffer.AsSpan(0, headLength).CopyTo(buffer.AsSpan(start - headLength));
            return (start - headLength, end, null, 0);
        }

        // Headers larger than the reserve (rare): the head goes in a write of its own.
        byte[] separate = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int separateLength = WriteHead(separate);
        if (separateLength < 0)
        {
            ArrayPool<byte>.Shared.Return(separate);
            throw new InvalidOperationException("The response headers are larger than 64 KiB.");
        }

        return (start, end, separate, separateLength);
    }

    /// <summary>How the body is delimited (RFC 9112 §6.3) and whether the connection stays open.</summary>
    private void ChooseFraming()
    {
        bool closeDelimited = false;
        if (StatusAllowsBody(_statusCode) && ContentLength is null)
        {
            if (_protocol == HttpProtocol.Http11)
            {
                _chunked = true;
            }
            else
            {
                // An HTTP/1.0 client knows no chunked coding: the end of the body is the close.
                closeDelimited = true;
            }
        }

        _keepAlive = _requestKeepAlive && !CloseConnection && !closeDelimited && _connection.MayKeepAlive;
    }

    /// <summary>Writes the status line and header section; -1 if it does not fit.</summary>
    private int WriteHead(Span<byte> destination)
    {
        HeadWriter head = new(destination);
        head.Append("HTTP/1.1 "u8);
        head.Append(_statusCode);
        head.Append(" "u8);
        head.Append(HttpStatusText.Of(_statusCode));
        head.Append("\r\n"u8);
        head.Append(_connection.Server.DateField);
        head.Append("Server: "u8);
        head.Append(_connection.Server.Options.ServerName);
        head.Append("\r\n"u8);
        if (ContentType is not null)
        {
            head.AppendField("Content-Type", ContentType);
        }

        if (StatusAllowsBody(_statusCode))
        {
            if (_chunked)
            {
                head.Append("Transfer-Encoding: chunked\r\n"u8);
            }
            else if (ContentLength is long length)
            {
                head.Append("Content-Length: "u8);
                head.Append(length);
                head.Append("\r\n"u8);
            }
        }

        if (!_keepAlive)
        {
            head.Append("Connection: close\r\n"u8);
        }
        else if (_protocol == HttpProtocol.Http10)
        {
            head.Append("Connection: keep-alive\r\n"u8);
        }

        for (int i = 0; i < Headers.Count; i++)
        {
            head.AppendField(Headers[i].Key, Headers[i].Value);
        }

        head.Append("\r\n"u8);
        return head.Overflowed ? -1 : head.Length;
    }

    private byte[] EnsureBuffer() => _buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);

    private void ThrowIfStarted()
    {
        if (_headSent)
        {
            throw new InvalidOperationException("The response head has been sent: status and headers can no longer change.");
        }
    }

    private static async ValueTask ReturnAfter(ValueTask pending, byte[] rented)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
