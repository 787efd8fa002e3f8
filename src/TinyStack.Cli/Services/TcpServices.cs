using System.Collections.Concurrent;
using System.Net.Sockets;
using TinyStack.Host;
using TinyStack.Host.Sockets;
using TcpListener = TinyStack.Host.Sockets.TcpListener;

namespace TinyStack.Cli.Services;

/// <summary>
/// Runs <see cref="TcpService"/>s on a host: one listener and accept loop per service, one task
/// per connection (on the thread pool, built on the socket API like any application would be).
/// </summary>
public sealed class TcpServices : IAsyncDisposable
{
    private static readonly TimeSpan s_stopPatience = TimeSpan.FromSeconds(3);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly IStackLogger _logger;
    private long _nextConnection;
    private bool _stopped;

    private TcpServices(IStackLogger logger)
    {
        _logger = logger;
    }

    /// <summary>The classic ones: echo (7), discard (9), daytime (13), chargen (19).</summary>
    public static IReadOnlyList<TcpService> Classic { get; } = [new EchoService(), new DiscardService(), new DaytimeService(), new ChargenService()];

    /// <summary>Connections being served now.</summary>
    public int ActiveConnections => _connections.Count;

    /// <summary>Listens on every service's port; returns once all listen.</summary>
    public static TcpServices Start(StackHost host, IStackLogger logger, IEnumerable<TcpService> services)
    {
        var running = new TcpServices(logger);
        try
        {
            foreach (TcpService service in services)
            {
                TcpListener listener = TcpListener.Start(host, service.Port);
                running._listeners.Add(listener);
                running._acceptLoops.Add(Task.Run(() => running.AcceptLoopAsync(service, listener)));
            }
        }
        catch
        {
            running.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return running;
    }

    /// <summary>Stops listening, ends the connections being served (gracefully), and waits a little for them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stop.CancelAsync();
        foreach (TcpListener listener in _listeners)
        {
            listener.Stop();
        }

        try
        {
            await Task.WhenAll([.. _acceptLoops, .. _connections.Values]).WaitAsync(s_stopPatience);
        }
        catch (TimeoutException)
        {
            _logger.Log(StackLogLevel.Warning, $"services: {_connections.Count} connection(s) did not end within {s_stopPatience.TotalSeconds:0} s");
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(TcpService service, TcpListener listener)
    {
        CancellationToken stopping = _stop.Token;
        while (!stopping.IsCancellationRequested)
        {
            TcpStream stream;
            try
            {
                stream = await listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            // Registered before it starts, so that its own removal cannot come first.
            long id = Interlocked.Increment(ref _nextConnection);
            var serve = new Task<Task>(() => ServeAsync(service, stream, id));
            _connections[id] = serve.Unwrap();
            serve.Start(TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpService service, TcpStream stream, long id)
    {
        string peer = stream.RemoteEndPoint.ToString();
        Log(StackLogLevel.Debug, $"{service.Name}: {peer} connected");
        try
        {
            await service.ServeAsync(stream, _stop.Token);
            Log(StackLogLevel.Debug, $"{service.Name}: {peer} done");
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer reset or went away, or we are stopping: normal ends for these services.
            Log(StackLogLevel.Debug, $"{service.Name}: {peer} ended: {(e.InnerException ?? e).Message}");
        }
        finally
        {
            await stream.DisposeAsync();
            _connections.TryRemove(id, out _);
        }
    }

    private void Log(StackLogLevel level, string message)
    {
        if (_logger.IsEnabled(level))
        {
            _logger.Log(level, message);
        }
    }
}
