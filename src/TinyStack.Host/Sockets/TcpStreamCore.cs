using System.Net.Sockets;
using TinyStack.Tcp;
using TinyStack.Time;

namespace TinyStack.Host.Sockets;

/// <summary>
/// The stack-thread half of a <see cref="TcpStream"/>: it owns the <see cref="TcpConnection"/>,
/// hears its notifications (as its <see cref="ITcpConnectionObserver"/>), and moves the pending
/// read and write along. Commands from the application (shut down, close, abort, NoDelay) are
/// flags that the caller sets and the stack thread applies when this item runs, so they too
/// allocate nothing and keep their order behind operations already posted.
/// </summary>
internal sealed class TcpStreamCore : ITcpConnectionObserver, IStackWorkItem
{
    private const int CommandShutdownWrite = 1;
    private const int CommandClose = 2;
    private const int CommandAbort = 4;
    private const int CommandNoDelay = 8;

    private int _commands;
    private volatile bool _noDelay;
    private ConnectOperation? _connect;

    public TcpStreamCore(StackHost host)
    {
        Host = host;
        bool runAsynchronously = host.SocketContinuations != SocketContinuations.StackThread;
        RunContinuationsAsynchronously = runAsynchronously;
        Read = new ReadOperation(this, runAsynchronously);
        Write = new WriteOperation(this, runAsynchronously);
    }

    public StackHost Host { get; }

    public bool RunContinuationsAsynchronously { get; }

    public ReadOperation Read { get; }

    public WriteOperation Write { get; }

    /// <summary>Stack thread: the connection, once connected or accepted.</summary>
    public TcpConnection? Connection { get; private set; }

    /// <summary>Stack thread: the application closed or aborted the stream; the connection is no longer ours.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Stack thread: takes over <paramref name="connection"/> and its notifications.</summary>
    public void Attach(TcpConnection connection, ConnectOperation? connect)
    {
        Connection = connection;
        _connect = connect;
        connection.Observer = this;
    }

    /// <summary>Any thread: asks the stack thread to shut down writing (FIN after the queued data).</summary>
    public void RequestShutdownWrite() => Request(CommandShutdownWrite);

    /// <summary>Any thread: asks for a graceful close (FIN; RST if unread data is left, as Linux).</summary>
    public void RequestClose() => Request(CommandClose);

    /// <summary>Any thread: asks for an abort (RST).</summary>
    public void RequestAbort() => Request(CommandAbort);

    public void RequestNoDelay(bool value)
    {
        _noDelay = value;
        Request(CommandNoDelay);
    }

    public void Run(NetworkStack stack, Instant now, IFrameSink tx)
    {
        int commands = Interlocked.Exchange(ref _commands, 0);
        TcpConnection? connection = Connection;
        if (commands == 0 || connection is null || IsClosed)
        {
            return;
        }

        if ((commands & CommandNoDelay) != 0)
        {
            connection.NoDelay = _noDelay;
        }

        if ((commands & CommandAbort) != 0)
        {
            Release(abort: true);
        }
        else if ((commands & CommandClose) != 0)
        {
            Release(abort: false);
        }
        else if ((commands & CommandShutdownWrite) != 0)
        {
            connection.ShutdownWrite();
        }
    }

    /// <summary>
    /// Stack thread: returns true when a read can complete now, with the bytes copied into
    /// <paramref name="destination"/> (0 at the end of the stream) or the error to throw.
    /// </summary>
    public bool TryReceive(Span<byte> destination, out int received, out Exception? error)
    {
        received = 0;
        error = null;
        if (IsClosed)
        {
            error = SocketErrors.Read(SocketError.OperationAborted);
            return true;
        }

        TcpConnection connection = Connection!;
        if (connection.ReadableBytes > 0)
        {
            // A zero-byte read completes (with 0) once data is there, as with sockets.
            received = connection.Receive(destination);
            return true;
        }

        if (connection.IsEndOfStream)
        {
            return true;
        }

        if (connection.State == TcpState.Closed)
        {
            // Reset, timed out...: the data not yet read is gone, and reads say why (as NetworkStream).
            if (connection.Error != TcpError.None)
            {
                error = SocketErrors.Read(SocketErrors.ToSocketError(connection.Error));
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// Stack thread: queues as much of <paramref name="data"/> past <paramref name="written"/> as
    /// the send buffer takes; true when all of it is queued or the write failed (<paramref name="error"/>).
    /// </summary>
    public bool TrySend(ReadOnlySpan<byte> data, ref int written, out Exception? error)
    {
        error = null;
        if (IsClosed)
        {
            error = SocketErrors.Write(SocketError.OperationAborted);
            return true;
        }

        if (written == data.Length)
        {
            return true;
        }

        TcpConnection connection = Connection!;
        if (!connection.CanSend)
        {
            error = SocketErrors.Write(connection.State == TcpState.Closed && connection.Error != TcpError.None
                ? SocketErrors.ToSocketError(connection.Error)
                : SocketError.Shutdown);
            return true;
        }

        written += connection.Send(data[written..]);
        return written == data.Length;
    }

    /// <summary>Stack thread: a write was cancelled after queuing part of its bytes; the stream is cut.</summary>
    public void AbortAfterPartialWrite() => Release(abort: true);

    public void OnConnected(TcpConnection connection)
    {
        ConnectOperation? connect = _connect;
        _connect = null;
        connect?.OnConnected();
    }

    public void OnReadable(TcpConnection connection) => Read.Progress();

    public void OnWritable(TcpConnection connection) => Write.Progress();

    public void OnClosed(TcpConnection connection, TcpError error)
    {
        ConnectOperation? connect = _connect;
        _connect = null;
        connect?.OnClosed(error);
        Read.Progress();
        Write.Progress();
    }

    /// <summary>Stack thread: a cancelled connect gives the connection up (RST if the SYN was answered).</summary>
    public void AbortConnecting()
    {
        _connect = null;
        Release(abort: true);
    }

    private void Request(int command)
    {
        Interlocked.Or(ref _commands, command);
        Host.TryPost(this);
    }

    private void Release(bool abort)
    {
        TcpConnection connection = Connection!;
        IsClosed = true;

        // The connection lives on in the stack (FIN-WAIT, TIME-WAIT) without us.
        connection.Observer = null;
        if (abort)
        {
            connection.Abort();
        }
        else
        {
            connection.Close();
        }

        Read.Progress();
        Write.Progress();
    }
}
