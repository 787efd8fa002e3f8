using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using TcpListener = TinyStack.Host.Sockets.TcpListener;
using System.Security.Authentication;
using System.Text;
using TinyStack.Host;
using TinyStack.Host.Sockets;

namespace TinyStack.Http;

/// <summary>
/// An HTTP/1.1 server (RFC 9110, RFC 9112) on a TinyStack port: accepts connections from the
/// stack's <see cref="TcpListener"/> (never the kernel's sockets) and serves an
/// <see cref="HttpApp"/> on each, over TLS when <see cref="HttpServerOptions.Certificate"/> is set.
/// </summary>
/// <remarks>
/// A heartbeat timer (one for the whole server) refreshes the cached Date field and enforces the
/// idle and header timeouts of every connection; application code runs on the thread pool (the
/// host's default <see cref="SocketContinuations"/>), never on the stack thread.
/// </remarks>
public sealed class HttpServer : IAsyncDisposable
{
    private static readonly byte[] s_refusal = Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 52\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
        + "503 Service Unavailable: too many connections, retry\n");

    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<HttpConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Timer _heartbeat;
    private readonly Task _acceptLoop;
    private byte[] _dateField = [];
    private long _dateSecond;
    private long _accepted;
    private long _refused;
    private long _active;
    private long _requests;
    private long _requestErrors;
    private long _headerTimeouts;
    private long _idleTimeouts;
    private long _handlerFailures;
    private long _tlsFailures;
    private long _bytesReceived;
    private long _bytesSent;
    private int _stopped;

    private HttpServer(StackHost host, TcpListener listener, HttpApp app, HttpServerOptions options)
    {
        Host = host;
        _listener = listener;
        App = app;
        Options = options;
        if (options.Certificate is not null)
        {
            TlsOptions = new SslServerAuthenticationOptions
            {
                ServerCertificate = options.Certificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            };
        }

        UpdateDate();
        TimeSpan shortest = options.HeaderTimeout < options.IdleTimeout ? options.HeaderTimeout : options.IdleTimeout;
        if (options.LingerTime < shortest)
        {
            shortest = options.LingerTime;
        }

        // A quarter of the shortest timeout, between 10 ms and 1 s: timeouts fire at most that late.
        TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 10, 1000));
        _heartbeat = new Timer(_ => Heartbeat(), null, tick, tick);
        _acceptLoop = AcceptLoopAsync();
    }

    public StackHost Host { get; }

    public HttpApp App { get; }

    public HttpServerOptions Options { get; }

    public bool IsHttps => TlsOptions is not null;

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public HttpServerCounters Counters => new(
        Interlocked.Read(ref _accepted),
        Interlocked.Read(ref _refused),
        Interlocked.Read(ref _active),
        Interlocked.Read(ref _requests),
        Interlocked.Read(ref _requestErrors),
        Interlocked.Read(ref _headerTimeouts),
        Interlocked.Read(ref _idleTimeouts),
        Interlocked.Read(ref _handlerFailures),
        Interlocked.Read(ref _tlsFailures),
        Interlocked.Read(ref _bytesReceived),
        Interlocked.Read(ref _bytesSent));

    internal bool IsStopping => Volatile.Read(ref _stopped) != 0;

    internal SslServerAuthenticationOptions? TlsOptions { get; }

    /// <summary>"Date: ...\r\n", refreshed by the heartbeat (RFC 9110 §6.6.1: an origin server with a clock MUST send Date).</summary>
    internal ReadOnlySpan<byte> DateField => Volatile.Read(ref _dateField);

    /// <summary>Listens on <paramref name="port"/> of <paramref name="host"/>'s stack and serves <paramref name="app"/>.</summary>
    /// <exception cref="SocketException">The port already has a listener.</exception>
    public static HttpServer Start(StackHost host, ushort port, HttpApp app, HttpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(app);
        options ??= new HttpServerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1);
        TcpListener listener = TcpListener.Start(host, port, options.Backlog);
        return new HttpServer(host, listener, app, options);
    }

    /// <summary>A snapshot of every open connection.</summary>
    public IReadOnlyList<HttpConnectionInfo> GetConnections() => [.. _connections.Keys.Select(c => c.Snapshot())];

    /// <summary>Stops accepting, ends every connection (in-flight responses are cut), and waits for them to finish.</summary>
    public async ValueTask StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        foreach (HttpConnection connection in _connections.Keys)
        {
            connection.Stop();
        }

        Task all = Task.WhenAll(_connections.Keys.Select(c => c.Completion));
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _stopping.Dispose();
    }

    public ValueTask DisposeAsync() => StopAsync();

    public override string ToString() => $"HttpServer {(IsHttps ? "https" : "http")}://{LocalEndPoint}";

    internal void Remove(HttpConnection connection)
    {
        if (_connections.TryRemove(connection, out _))
        {
            Interlocked.Decrement(ref _active);
        }
    }

    internal void Log(string line) => Options.Log?.Invoke(line);

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void CountRequestError() => Interlocked.Increment(ref _requestErrors);

    internal void CountHeaderTimeout() => Interlocked.Increment(ref _headerTimeouts);

    internal void CountIdleTimeout() => Interlocked.Increment(ref _idleTimeouts);

    internal void CountHandlerFailure() => Interlocked.Increment(ref _handlerFailures);

    internal void CountTlsFailure() => Interlocked.Increment(ref _tlsFailures);

    internal void CountReceived(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    internal void CountSent(int bytes) => Interlocked.Add(ref _bytesSent, bytes);

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpStream stream;
            try
            {
                stream = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            if (Interlocked.Increment(ref _active) > Options.MaxConnections)
            {
                Interlocked.Decrement(ref _active);
                Interlocked.Increment(ref _refused);
                _ = RefuseAsync(stream);
                continue;
            }

            stream.NoDelay = true;
            HttpConnection connection = new(this, stream);
            _connections.TryAdd(connection, 0);
            connection.Start();
        }
    }

    /// <summary>Over the cap: a fixed 503 and a graceful close (the client's request, if any, is read and dropped).</summary>
    private async Task RefuseAsync(TcpStream stream)
    {
        using CancellationTokenSource linger = new(Options.LingerTime);
        try
        {
            await stream.WriteAsync(s_refusal, linger.Token).ConfigureAwait(false);
            stream.ShutdownWrite();
            byte[] scratch = new byte[1024];
            while (await stream.ReadAsync(scratch, linger.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            stream.Dispose();
        }
    }

    private void Heartbeat()
    {
        UpdateDate();
        long now = Environment.TickCount64;

        // Enumerating the dictionary itself takes no snapshot (Keys would copy every key each tick).
        foreach (KeyValuePair<HttpConnection, byte> entry in _connections)
        {
            entry.Key.CheckTimeout(now);
        }
    }

    private void UpdateDate()
    {
        DateTimeOffset utc = DateTimeOffset.UtcNow;
        long second = utc.ToUnixTimeSeconds();
        if (second != _dateSecond)
        {
            _dateSecond = second;
            Volatile.Write(ref _dateField, Encoding.ASCII.GetBytes($"Date: {utc:r}\r\n"));
        }
    }
}
