using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using TinyStack.Host.Sockets;
using TinyStack.Http.Parsing;

namespace TinyStack.Http;

/// <summary>
/// Serves the requests of one connection in order (pipelined requests wait in the input buffer,
/// so responses leave in request order): wait for a request without holding buffers, parse its
/// head under the header timeout, route it, run the handler, finish the response, and either
/// continue (keep-alive) or close gracefully. Timeouts are enforced by the server's heartbeat,
/// which cancels the connection's pending read or write when its deadline passes.
/// </summary>
internal sealed class HttpConnection
{
    private static readonly byte[] s_continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    private readonly HttpServer _server;
    private readonly TcpStream _tcp;
    private readonly HttpRequestParser _parser;
    private readonly HttpRequestHead _head = new();
    private readonly RequestBodyStream _body;
    private readonly HttpRequest _request;
    private readonly HttpResponse _response;
    private readonly HttpContext _context;
    private readonly long _startedAt = Environment.TickCount64;
    private Stream _stream;
    private CancellationTokenSource _cancel = new();
    private long _deadline;
    private volatile Phase _phase;
    private volatile CancelReason _cancelReason;
    private Phase _timedOutPhase;
    private long _requests;
    private long _bytesIn;
    private long _bytesOut;

    public HttpConnection(HttpServer server, TcpStream tcp)
    {
        _server = server;
        _tcp = tcp;
        _stream = tcp;
        HttpLimits limits = server.Options.Limits;

        // The head must always fit, so the parser's limits (not the buffer) decide 414 and 431.
        Input = new InputBuffer(limits.MaxRequestLineBytes + limits.MaxHeaderBytes + 4096);
        _parser = new HttpRequestParser(limits);
        _body = new RequestBodyStream(this, limits);
        _request = new HttpRequest(_head, _body)
        {
            RemoteEndPoint = tcp.RemoteEndPoint,
            LocalEndPoint = tcp.LocalEndPoint,
            IsHttps = server.IsHttps,
        };
        _response = new HttpResponse(this);
        _context = new HttpContext(_request, _response);
    }

    private enum Phase : byte
    {
        Handshake,
        Idle,
        Head,
        Request,
        Closing,
    }

    private enum CancelReason : byte
    {
        None,
        Timeout,
        Stop,

        /// <summary>The handler cancelled a read or write of its own: the message framing is lost.</summary>
        Caller,
    }

    public HttpServer Server => _server;

    public InputBuffer Input { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>False once the server stops, or while a client waits for a 100 Continue it will not get.</summary>
    public bool MayKeepAlive => !_server.IsStopping && !_body.ContinuePending;

    public void Start() => Completion = RunAsync();

    public HttpConnectionInfo Snapshot() => new(
        _tcp.RemoteEndPoint,
        _tcp.LocalEndPoint,
        _server.IsHttps,
        _phase.ToString().ToLowerInvariant(),
        Volatile.Read(ref _requests),
        Volatile.Read(ref _bytesIn),
        Volatile.Read(ref _bytesOut),
        TimeSpan.FromMilliseconds(Environment.TickCount64 - _startedAt));

    /// <summary>Heartbeat: cancels the pending I/O when the deadline of the current phase has passed.</summary>
    public void CheckTimeout(long now)
    {
        long deadline = Volatile.Read(ref _deadline);
        if (deadline != 0 && now >= deadline && _cancelReason == CancelReason.None)
        {
            _timedOutPhase = _phase;
            _cancelReason = CancelReason.Timeout;
            Cancel();
        }
    }

    /// <summary>Server stop: ends the connection at its next (or current) wait.</summary>
    public void Stop()
    {
        if (_cancelReason == CancelReason.None)
        {
            _cancelReason = CancelReason.Stop;
            Cancel();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        RefreshProgressDeadline();
        using CancellationTokenRegistration caller = Register(cancellationToken);
        int n = await _stream.ReadAsync(buffer, _cancel.Token).ConfigureAwait(false);
        Volatile.Write(ref _bytesIn, _bytesIn + n);
        _server.CountReceived(n);
        return n;
    }

    /// <summary>Receives more bytes into the input buffer; 0 at the end of the stream.</summary>
    public ValueTask<int> FillInputAsync(CancellationToken cancellationToken)
    {
        Memory<byte> free = Input.GetFreeMemory();
        if (free.IsEmpty)
        {
            // Only a trailer section or chunk line near its limit can get here.
            throw new BadHttpRequestException(431, "request framing too large");
        }

        return FillCoreAsync(free, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        RefreshProgressDeadline();
        using CancellationTokenRegistration caller = Register(cancellationToken);
        await _stream.WriteAsync(data, _cancel.Token).ConfigureAwait(false);
        Volatile.Write(ref _bytesOut, _bytesOut + data.Length);
        _server.CountSent(data.Length);
    }

    /// <summary>The interim response that tells a client waiting on Expect: 100-continue to send the body (RFC 9110 §10.1.1).</summary>
    public ValueTask SendContinueAsync(CancellationToken cancellationToken) =>
        _response.HasStarted ? ValueTask.CompletedTask : SendAsync(s_continue, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FillCoreAsync(Memory<byte> free, CancellationToken cancellationToken)
    {
        int n = await ReceiveAsync(free, cancellationToken).ConfigureAwait(false);
        Input.Commit(n);
        return n;
    }

    private async Task RunAsync()
    {
        // On a thread-pool thread, continue off the accept loop's, so that it accepts the next
        // connection while this one is served. On the stack thread (StackThread continuations)
        // run on until the first read waits, as every other continuation there does: a yield
        // would send each new connection through the thread pool and back.
        if (!_server.Host.IsOnStackThread)
        {
            await Task.Yield();
        }

        bool graceful = true;
        try
        {
            if (_server.Options.Certificate is not null)
            {
                await HandshakeAsync().ConfigureAwait(false);
            }

            while (await ServeOneAsync().ConfigureAwait(false))
            {
            }
        }
        catch (OperationCanceledException) when (_cancelReason == CancelReason.Timeout)
        {
            switch (_timedOutPhase)
            {
                case Phase.Head:
                    // A head that does not arrive in time (slowloris): say so, then close.
                    _server.CountHeaderTimeout();
                    await TryRespondAfterTimeoutAsync(new RequestError(408, "request head not received in time")).ConfigureAwait(false);
                    break;
                case Phase.Idle:
                    _server.CountIdleTimeout();
                    break;
                case Phase.Handshake:
                    _server.CountHeaderTimeout();
                    graceful = false;
                    break;
                default:
                    // No progress in the middle of a request: the framing is lost, reset.
                    _server.CountIdleTimeout();
                    graceful = false;
                    break;
            }
        }
        catch (OperationCanceledException) when (_cancelReason == CancelReason.Stop)
        {
        }
        catch (OperationCanceledException) when (_cancelReason == CancelReason.Caller)
        {
            graceful = false;
        }
        catch (AuthenticationException e)
        {
            _server.CountTlsFailure();
            _server.Log($"TLS handshake with {_tcp.RemoteEndPoint} failed: {e.Message}");
            graceful = false;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The peer reset or vanished, or the body was malformed after the response started.
            graceful = false;
        }
        catch (Exception e)
        {
            _server.CountHandlerFailure();
            _server.Log($"request {_request.Method.ToString().ToUpperInvariant()} {_request.Path} from {_tcp.RemoteEndPoint} failed after its response started: {e.GetType().Name}: {e.Message}");
            graceful = false;
        }
        finally
        {
            await CloseAsync(graceful).ConfigureAwait(false);
            _server.Remove(this);
        }
    }

    private async ValueTask HandshakeAsync()
    {
        SetDeadline(Phase.Handshake, _server.Options.HeaderTimeout);
        SslStream ssl = new(_tcp, leaveInnerStreamOpen: true);
        _stream = ssl;
        await ssl.AuthenticateAsServerAsync(_server.TlsOptions!, _cancel.Token).ConfigureAwait(false);
    }

    /// <summary>Serves one request; false when the connection must close.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ServeOneAsync()
    {
        if (Input.Length == 0)
        {
            // Idle between requests: hold no buffers while waiting (a zero-byte read completes
            // when data is there), so idle connections cost only their objects.
            Input.ReleaseIfEmpty();
            _response.Release();
            SetDeadline(Phase.Idle, _server.Options.IdleTimeout);
            await _stream.ReadAsync(Memory<byte>.Empty, _cancel.Token).ConfigureAwait(false);
        }

        SetDeadline(Phase.Head, _server.Options.HeaderTimeout);
        _parser.Reset();
        _head.Reset();
        while (true)
        {
            if (Input.Length > 0 && ParseHead() is HttpParseStatus status && status != HttpParseStatus.Incomplete)
            {
                if (status == HttpParseStatus.Error)
                {
                    await RespondErrorAsync(_parser.Error).ConfigureAwait(false);
                    return false;
                }

                break;
            }

            if (await FillInputAsync(_cancel.Token).ConfigureAwait(false) == 0)
            {
                // The client closed: between requests that is the normal end; within a head, nothing can be answered.
                return false;
            }
        }

        return await HandleRequestAsync().ConfigureAwait(false);
    }

    private HttpParseStatus ParseHead()
    {
        HttpRequestHeadHandler handler = new(_head);
        HttpParseStatus status = _parser.Parse(Input.Span, ref handler, out int consumed);
        Input.Advance(consumed);
        return status;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> HandleRequestAsync()
    {
        RequestError error = _head.Validate();
        if (error.IsError)
        {
            await RespondErrorAsync(error).ConfigureAwait(false);
            return false;
        }

        Volatile.Write(ref _requests, _requests + 1);
        _server.CountRequest();
        SetDeadline(Phase.Request, _server.Options.IdleTimeout);
        _request.Begin();
        _context.Begin();
        _context.Aborted = _cancel.Token;
        _server.App.Route(_context);
        long limit = _context.Route?.MaxRequestBodyBytes ?? _server.Options.Limits.MaxRequestBodyBytes;
        if (_head.ContentLength > limit)
        {
            // Refused before a byte of the body is read (and before any 100 Continue).
            await RespondErrorAsync(new RequestError(413, "request body too large")).ConfigureAwait(false);
            return false;
        }

        _body.Begin(_head, limit);
        bool keepAliveRequested = _head.Protocol == HttpProtocol.Http11
            ? !_head.ConnectionClose
            : _head.ConnectionKeepAlive && !_head.ConnectionClose;
        _response.Begin(_head.Protocol, _head.Method == RequestMethod.Head, keepAliveRequested);
        try
        {
            await _server.App.InvokeAsync(_context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!_response.HasStarted)
        {
            await RespondErrorAsync(new RequestError(e.StatusCode, e.Message)).ConfigureAwait(false);
            return false;
        }
        catch (Exception e) when (!_response.HasStarted && e is not (OperationCanceledException or IOException or SocketException))
        {
            _server.CountHandlerFailure();
            _server.Log($"handler for {_request.Method.ToString().ToUpperInvariant()} {_request.Path} threw {e.GetType().Name}: {e.Message}");
            await RespondErrorAsync(new RequestError(500, "the request handler failed")).ConfigureAwait(false);
            return false;
        }

        await _response.CompleteAsync(_cancel.Token).ConfigureAwait(false);
        if (!_response.KeepAlive)
        {
            return false;
        }

        // The handler may have left part of the body unread: read past it to the next request.
        return _body.IsComplete || await _body.DrainAsync(_server.Options.MaxDrainBytes, _cancel.Token).ConfigureAwait(false);
    }

    /// <summary>Answers an error with a small text body saying why, and marks the connection for closing.</summary>
    private async ValueTask RespondErrorAsync(RequestError error)
    {
        _server.CountRequestError();
        bool isHead = _parser.HasRequestLine && _head.Method == RequestMethod.Head;
        _response.Begin(_parser.HasRequestLine ? _head.Protocol : HttpProtocol.Http11, isHead, requestKeepAlive: false);
        _response.StatusCode = error.StatusCode;
        _response.ContentType = "text/plain; charset=utf-8";
        await _response.WriteAsync($"{error.StatusCode} {HttpStatusText.Of(error.StatusCode)}: {error.Reason}\n").ConfigureAwait(false);
        await _response.CompleteAsync(_cancel.Token).ConfigureAwait(false);
    }

    private async ValueTask TryRespondAfterTimeoutAsync(RequestError error)
    {
        // The timed-out token is spent: the answer gets a fresh one with a short deadline.
        _cancelReason = CancelReason.None;
        _cancel.Dispose();
        _cancel = new CancellationTokenSource();
        SetDeadline(Phase.Closing, _server.Options.LingerTime);
        try
        {
            await RespondErrorAsync(error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Graceful: half-close, then read and discard what the client still sends until it closes or
    /// the linger time passes (so our close does not become a reset that destroys the response in
    /// flight), then close. Otherwise reset at once.
    /// </summary>
    private async ValueTask CloseAsync(bool graceful)
    {
        if (graceful && _cancelReason != CancelReason.Stop)
        {
            if (_cancelReason != CancelReason.None)
            {
                _cancelReason = CancelReason.None;
                _cancel.Dispose();
                _cancel = new CancellationTokenSource();
            }

            SetDeadline(Phase.Closing, _server.Options.LingerTime);
            byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                if (_stream is SslStream ssl)
                {
                    await ssl.ShutdownAsync().ConfigureAwait(false);
                }

                _tcp.ShutdownWrite();
                while (await _stream.ReadAsync(scratch, _cancel.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or AuthenticationException)
            {
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        Volatile.Write(ref _deadline, 0);
        if (graceful)
        {
            _tcp.Dispose();
        }
        else
        {
            _tcp.Abort();
        }

        if (_stream is SslStream tls)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
        }

        Input.ReleaseIfEmpty();
        _response.Release();
        _cancel.Dispose();
    }

    private void SetDeadline(Phase phase, TimeSpan timeout)
    {
        _phase = phase;
        Volatile.Write(ref _deadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);
    }

    /// <summary>While a request runs, every read or write that starts is progress that pushes the deadline back.</summary>
    private void RefreshProgressDeadline()
    {
        if (_phase == Phase.Request)
        {
            Volatile.Write(ref _deadline, Environment.TickCount64 + (long)_server.Options.IdleTimeout.TotalMilliseconds);
        }
    }

    /// <summary>
    /// I/O runs under the connection's own token (timeouts, stop). A handler's token, when it is
    /// another one, cancels that I/O too; the connection then cannot continue and is reset.
    /// </summary>
    private CancellationTokenRegistration Register(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled && cancellationToken != _cancel.Token
            ? cancellationToken.UnsafeRegister(static state => ((HttpConnection)state!).CancelByCaller(), this)
            : default;

    private void CancelByCaller()
    {
        if (_cancelReason == CancelReason.None)
        {
            _cancelReason = CancelReason.Caller;
            Cancel();
        }
    }

    private void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
