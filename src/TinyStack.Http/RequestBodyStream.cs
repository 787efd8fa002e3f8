using TinyStack.Http.Parsing;

namespace TinyStack.Http;

/// <summary>
/// The request body as a read-only <see cref="Stream"/>: Content-Length or chunked framing is
/// removed, bytes already received with the head are served first, and the rest is read from the
/// connection as the application asks (so a body of any size streams with bounded memory). The
/// first read of a request that sent Expect: 100-continue sends the interim 100 response.
/// </summary>
internal sealed class RequestBodyStream : Stream
{
    private readonly HttpConnection _connection;
    private readonly ChunkedDecoder _chunked;
    private Framing _framing;
    private long _remaining;
    private long _limit;
    private long _read;
    private bool _complete;
    private bool _expectContinue;

    public RequestBodyStream(HttpConnection connection, HttpLimits limits)
    {
        _connection = connection;
        _chunked = new ChunkedDecoder(limits);
    }

    private enum Framing : byte
    {
        None,
        ContentLength,
        Chunked,
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("A request body has no length to seek in; see HttpRequest.ContentLength.");

    public override long Position
    {
        get => throw new NotSupportedException("A request body cannot seek.");
        set => throw new NotSupportedException("A request body cannot seek.");
    }

    /// <summary>Every byte of the body (and, if chunked, its trailer section) has been read.</summary>
    public bool IsComplete => _complete;

    /// <summary>Body bytes read so far.</summary>
    public long BytesRead => _read;

    /// <summary>True while the client waits for 100 Continue that has not been sent.</summary>
    public bool ContinuePending => _expectContinue && !_complete;

    /// <summary>Trailer fields received after a chunked body.</summary>
    public int TrailerCount => _chunked.TrailerCount;

    /// <summary>The largest body allowed; the route's limit, which the handler may still raise before reading.</summary>
    public long Limit
    {
        get => _limit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _limit = value;
        }
    }

    public void Begin(HttpRequestHead head, long limit)
    {
        _limit = limit;
        _read = 0;
        _expectContinue = head.ExpectContinue && head.HasBody;
        if (head.IsChunked)
        {
            _framing = Framing.Chunked;
            _chunked.Reset();
            _complete = false;
        }
        else if (head.ContentLength > 0)
        {
            _framing = Framing.ContentLength;
            _remaining = head.ContentLength;
            _complete = false;
        }
        else
        {
            _framing = Framing.None;
            _complete = true;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_complete || buffer.IsEmpty)
        {
            return 0;
        }

        if (_expectContinue)
        {
            _expectContinue = false;
            await _connection.SendContinueAsync(cancellationToken).ConfigureAwait(false);
        }

        int n = _framing == Framing.Chunked
            ? await ReadChunkedAsync(buffer, cancellationToken).ConfigureAwait(false)
            : await ReadContentLengthAsync(buffer, cancellationToken).ConfigureAwait(false);
        _read += n;
        if (_read > _limit)
        {
            throw new BadHttpRequestException(413, "request body too large");
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Read the request body with ReadAsync: a synchronous read would block a thread.");

    /// <summary>Reads and discards the rest of the body, up to <paramref name="maxBytes"/>; true if it ended.</summary>
    public async ValueTask<bool> DrainAsync(long maxBytes, CancellationToken cancellationToken)
    {
        if (_complete)
        {
            return true;
        }

        if (_expectContinue)
        {
            // The client waits for our word before sending the body; it will not come.
            return false;
        }

        _limit = long.MaxValue;
        byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long drained = 0;
            while (!_complete && drained <= maxBytes)
            {
                drained += await ReadAsync(scratch, cancellationToken).ConfigureAwait(false);
            }

            return _complete;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A request body cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A request body cannot seek.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The request body is read-only.");

    public override void Flush()
    {
    }

    private async ValueTask<int> ReadContentLengthAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        InputBuffer input = _connection.Input;
        int n;
        if (input.Length > 0)
        {
            n = input.CopyTo(buffer.Span, _remaining);
        }
        else
        {
            // Nothing buffered: receive straight into the caller's memory, no copy.
            Memory<byte> target = buffer.Length > _remaining ? buffer[..(int)_remaining] : buffer;
            n = await _connection.ReceiveAsync(target, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new BadHttpRequestException(400, "connection closed before the end of the body");
            }
        }

        _remaining -= n;
        _complete = _remaining == 0;
        return n;
    }

    private async ValueTask<int> ReadChunkedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        InputBuffer input = _connection.Input;
        while (true)
        {
            if (input.Length > 0)
            {
                ChunkedStatus status = _chunked.Decode(input.Span, buffer.Length, out int consumed, out int offset, out int length);
                switch (status)
                {
                    case ChunkedStatus.Data:
                        input.Span.Slice(offset, length).CopyTo(buffer.Span);
                        input.Advance(consumed);
                        return length;
                    case ChunkedStatus.End:
                        input.Advance(consumed);
                        _complete = true;
                        return 0;
                    case ChunkedStatus.Error:
                        throw new BadHttpRequestException(_chunked.Error.StatusCode, _chunked.Error.Reason);
                    default:
                        input.Advance(consumed);
                        break;
                }
            }

            if (await _connection.FillInputAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new BadHttpRequestException(400, "connection closed before the end of the chunked body");
            }
        }
    }
}
