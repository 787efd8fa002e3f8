using System.Net;
using System.Runtime.ExceptionServices;
using System.Net.Sockets;

namespace TinyStack.Host.Sockets;

/// <summary>
/// Listens for TCP connections on a port of a <see cref="StackHost"/>'s stack and accepts them as
/// <see cref="TcpStream"/>s, like <see cref="System.Net.Sockets.TcpListener"/> over the kernel.
/// Safe to use from any thread: calls are marshalled to the stack thread.
/// </summary>
/// <example>
/// <code>
/// using TcpListener listener = TcpListener.Start(host, 7);
/// while (true)
/// {
///     TcpStream client = await listener.AcceptAsync(token);
///     _ = Task.Run(() => EchoAsync(client, token));
/// }
/// </code>
/// </example>
public sealed class TcpListener : IDisposable
{
    private readonly TcpListenerCore _core;
    private int _stopped;

    private TcpListener(TcpListenerCore core, IPEndPoint localEndPoint)
    {
        _core = core;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>Our address and the port listened on.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The port listened on.</summary>
    public ushort Port => (ushort)LocalEndPoint.Port;

    /// <summary>
    /// Starts listening on <paramref name="port"/> (every local address) with room for
    /// <paramref name="backlog"/> connections waiting half-open and as many waiting to be accepted.
    /// Returns once the stack listens, so a peer may connect at once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The host is not running.</exception>
    /// <exception cref="SocketException">The port already has a listener (<see cref="SocketError.AddressAlreadyInUse"/>).</exception>
    public static TcpListener Start(StackHost host, ushort port, int backlog = 128)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (port == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(port), "Listen needs a port number 1..65535.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        var core = new TcpListenerCore(host);
        if (host.IsOnStackThread)
        {
            Listen(core, host.Stack, port, backlog);
        }
        else
        {
            if (!host.IsRunning)
            {
                throw new InvalidOperationException("The StackHost is not running; call Start() on it before starting a listener.");
            }

            using var done = new ManualResetEventSlim();
            ExceptionDispatchInfo? failure = null;
            host.Post(stack =>
            {
                try
                {
                    Listen(core, stack, port, backlog);
                }
                catch (Exception e) when (e is SocketException)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    done.Set();
                }
            });
            // The host's loop may die (a fault elsewhere) before it runs the work: do not wait forever.
            while (!done.Wait(100))
            {
                if (!host.IsRunning)
                {
                    throw new InvalidOperationException("The StackHost stopped before the listener could start.");
                }
            }

            failure?.Throw();
        }

        return new TcpListener(core, SocketAddresses.ToEndPoint(host.Stack.Options.Address.Address, port));
    }

    /// <summary>
    /// Waits for the next established connection. Several accepts may wait at once; they are
    /// served in order. Cancelling one leaves the listener and its queue as they were.
    /// </summary>
    /// <exception cref="SocketException"><see cref="SocketError.OperationAborted"/> when the listener is stopped.</exception>
    public ValueTask<TcpStream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _stopped) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TcpStream>(cancellationToken);
        }

        var accept = new AcceptOperation(_core, cancellationToken);
        accept.Start();
        return new ValueTask<TcpStream>(accept.Task);
    }

    /// <summary>Stops listening: pending accepts fail, connections not yet accepted are reset. Accepted streams stay open.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _core.Host.TryPost(_core);
        }
    }

    public void Dispose() => Stop();

    public override string ToString() => $"TcpListener {LocalEndPoint}";

    private static void Listen(TcpListenerCore core, NetworkStack stack, ushort port, int backlog)
    {
        try
        {
            core.Listen(stack, port, backlog);
        }
        catch (InvalidOperationException)
        {
            throw SocketErrors.Socket(SocketError.AddressAlreadyInUse);
        }
    }
}
