using System.Net.Sockets;
using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Host.Sockets;

/// <summary>
/// One <see cref="TcpStream.ConnectAsync"/>: opens the connection on the stack thread and
/// completes when the handshake does, fails with the <see cref="SocketException"/> a .NET socket
/// would throw, or, when cancelled, aborts the half-open connection so nothing is left behind.
/// </summary>
internal sealed class ConnectOperation : IStackWorkItem
{
    private readonly TcpStream _stream;
    private readonly Ipv4Address _remote;
    private readonly ushort _port;
    private readonly CancellationToken _cancellationToken;
    private readonly TaskCompletionSource<TcpStream> _completion;
    private CancellationTokenRegistration _registration;
    private bool _started;

    public ConnectOperation(TcpStream stream, Ipv4Address remote, ushort port, CancellationToken cancellationToken)
    {
        _stream = stream;
        _remote = remote;
        _port = port;
        _cancellationToken = cancellationToken;
        _completion = new TaskCompletionSource<TcpStream>(stream.Core.RunContinuationsAsynchronously
            ? TaskCreationOptions.RunContinuationsAsynchronously
            : TaskCreationOptions.None);
    }

    public Task<TcpStream> Task => _completion.Task;

    /// <summary>Caller's thread: registers for cancellation and posts the open.</summary>
    public void Start()
    {
        if (_cancellationToken.CanBeCanceled)
        {
            _registration = _cancellationToken.UnsafeRegister(static state => ((ConnectOperation)state!).Post(), this);
        }

        if (!_stream.Core.Host.TryPost(this))
        {
            _registration.Unregister();
            _completion.TrySetException(new ObjectDisposedException(nameof(StackHost), "The StackHost has been stopped; start one before connecting."));
        }
    }

    public void Run(NetworkStack stack, Instant now, IFrameSink tx)
    {
        if (_completion.Task.IsCompleted)
        {
            return;
        }

        if (!_started)
        {
            _started = true;
            if (_cancellationToken.IsCancellationRequested)
            {
                Complete(null, new OperationCanceledException(_cancellationToken));
                return;
            }

            // The SYN goes out at the stack's next Poll, right after this work item.
            TcpConnection connection;
            try
            {
                connection = stack.Tcp.Connect(_remote, _port, now);
            }
            catch (InvalidOperationException)
            {
                // Every ephemeral port towards this peer is taken (EADDRNOTAVAIL).
                Complete(null, SocketErrors.Socket(SocketError.AddressNotAvailable));
                return;
            }

            _stream.Attach(connection, this);
            return;
        }

        if (_cancellationToken.IsCancellationRequested)
        {
            _stream.Core.AbortConnecting();
            Complete(null, new OperationCanceledException(_cancellationToken));
        }
    }

    /// <summary>Stack thread: the handshake completed.</summary>
    public void OnConnected() => Complete(_stream, null);

    /// <summary>Stack thread: the connection ended before it was established.</summary>
    public void OnClosed(TcpError error) => Complete(null, SocketErrors.Socket(error == TcpError.None ? TcpError.ConnectionRefused : error));

    private void Post() => _stream.Core.Host.TryPost(this);

    private void Complete(TcpStream? stream, Exception? error)
    {
        _registration.Unregister();
        if (stream is not null)
        {
            _completion.TrySetResult(stream);
        }
        else if (error is OperationCanceledException canceled)
        {
            _completion.TrySetCanceled(canceled.CancellationToken);
        }
        else
        {
            _completion.TrySetException(error!);
        }
    }
}
