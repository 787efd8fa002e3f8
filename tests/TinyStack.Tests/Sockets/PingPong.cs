using TinyStack.Host.Sockets;
using TcpListener = TinyStack.Host.Sockets.TcpListener;

namespace TinyStack.Tests.Sockets;

/// <summary>
/// A request/response exchange between two hosts: the client writes a message, the server echoes
/// it, the client reads it back. Used to measure round trips and the allocations they cost.
/// </summary>
internal sealed class PingPong : IAsyncDisposable
{
    private readonly HostPair _pair;
    private readonly TcpListener _listener;
    private readonly TcpStream _client;
    private readonly TcpStream _server;
    private readonly Task _echo;
    private readonly byte[] _message;
    private readonly byte[] _reply;

    private PingPong(HostPair pair, TcpListener listener, TcpStream client, TcpStream server, int messageLength)
    {
        _pair = pair;
        _listener = listener;
        _client = client;
        _server = server;
        _message = new byte[messageLength];
        _reply = new byte[messageLength];
        new Random(5).NextBytes(_message);
        _echo = Task.Run(EchoAsync);
    }

    public HostPair Pair => _pair;

    /// <summary>Bytes the caller's thread allocated inside ReadAsync/WriteAsync calls (not in awaiting them).</summary>
    public long CallerAllocatedBytes { get; private set; }

    public static async Task<PingPong> StartAsync(SocketContinuations continuations, int messageLength)
    {
        var pair = new HostPair(continuations: continuations);
        TcpListener listener = TcpListener.Start(pair.B, 7);
        ValueTask<TcpStream> accept = listener.AcceptAsync();
        TcpStream client = await TcpStream.ConnectAsync(pair.A, HostPair.AddressB, 7);
        TcpStream server = await accept;
        client.NoDelay = true;
        server.NoDelay = true;
        return new PingPong(pair, listener, client, server, messageLength);
    }

    /// <summary>Runs <paramref name="count"/> round trips, counting what the issuing calls allocate.</summary>
    public async Task RunAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ValueTask write = _client.WriteAsync(_message);
            CallerAllocatedBytes += GC.GetAllocatedBytesForCurrentThread() - before;
            await write;

            int received = 0;
            while (received < _reply.Length)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
                ValueTask<int> read = _client.ReadAsync(_reply.AsMemory(received));
                CallerAllocatedBytes += GC.GetAllocatedBytesForCurrentThread() - before;
                int n = await read;
                if (n == 0)
                {
                    throw new InvalidOperationException("the echo server closed early");
                }

                received += n;
            }
        }

        if (!_reply.AsSpan().SequenceEqual(_message))
        {
            throw new InvalidOperationException("the echo differs from the message");
        }
    }

    /// <summary>Round trips in <paramref name="duration"/>, counted in batches.</summary>
    public async Task<long> RunForAsync(TimeSpan duration)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long count = 0;
        while (watch.Elapsed < duration)
        {
            await RunAsync(100);
            count += 100;
        }

        return (long)(count / watch.Elapsed.TotalSeconds);
    }

    public async ValueTask DisposeAsync()
    {
        _client.ShutdownWrite();
        await _echo.WaitAsync(TimeSpan.FromSeconds(10));
        _client.Dispose();
        _listener.Dispose();

        // Leave a stack thread (StackThread continuations) before stopping the hosts.
        await Task.Yield();
        _pair.Dispose();
    }

    private async Task EchoAsync()
    {
        byte[] buffer = new byte[Math.Max(_message.Length, 4096)];
        int n;
        while ((n = await _server.ReadAsync(buffer)) > 0)
        {
            await _server.WriteAsync(buffer.AsMemory(0, n));
        }

        _server.Dispose();
    }
}
