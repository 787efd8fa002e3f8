using System.Buffers;
using System.Net;
using System.Net.Sockets;
using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Host.Sockets;

/// <summary>
/// A TCP connection of a TinyStack stack as a <see cref="Stream"/>, like
/// <see cref="NetworkStream"/> over a kernel socket: obtained from
/// <see cref="ConnectAsync"/> or <see cref="TcpListener.AcceptAsync"/>.
/// </summary>
/// <remarks>
/// <para>Any thread may call it: calls are marshalled to the stack thread through reusable work
/// items, and completions come back through reusable <see cref="System.Threading.Tasks.Sources.IValueTaskSource"/>s,
/// so steady-state <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> and
/// <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> allocate nothing. One read
/// and one write may be in progress at a time (a second throws <see cref="InvalidOperationException"/>).</para>
/// <para>Reads complete as soon as any data is there (0 at the end of the stream). Writes complete
/// when every byte is in the connection's send buffer: a writer faster than the network waits.</para>
/// <para>Errors are those of .NET sockets: a read or write on a reset connection throws an
/// <see cref="IOException"/> whose inner <see cref="SocketException"/> says
/// <see cref="SocketError.ConnectionReset"/> (or TimedOut, ...).</para>
/// <para>Where awaiting code resumes is the host's <see cref="StackHost.SocketContinuations"/>.</para>
/// </remarks>
public sealed class TcpStream : Stream
{
    private readonly TcpStreamCore _core;
    private int _disposed;
    private bool _noDelay;

    private TcpStream(StackHost host)
    {
        _core = new TcpStreamCore(host);
    }

    /// <summary>Stack thread: the stream of a connection the listener accepted.</summary>
    internal TcpStream(StackHost host, TcpConnection accepted)
        : this(host)
    {
        Attach(accepted, null);
    }

    /// <summary>Our address and port.</summary>
    public IPEndPoint LocalEndPoint { get; private set; } = null!;

    /// <summary>The peer's address and port.</summary>
    public IPEndPoint RemoteEndPoint { get; private set; } = null!;

    /// <summary>Disables Nagle's algorithm (TCP_NODELAY): small writes go out at once. Default: TcpSettings.NoDelay.</summary>
    public bool NoDelay
    {
        get => _noDelay;
        set
        {
            ThrowIfDisposed();
            _noDelay = value;
            _core.RequestNoDelay(value);
        }
    }

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;

    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException("A TcpStream has no length.");

    public override long Position
    {
        get => throw new NotSupportedException("A TcpStream cannot seek.");
        set => throw new NotSupportedException("A TcpStream cannot seek.");
    }

    internal TcpStreamCore Core => _core;

    /// <summary>
    /// Opens a connection to <paramref name="remote"/>:<paramref name="port"/> through the
    /// host's stack. Fails with a <see cref="SocketException"/>: ConnectionRefused (RST or ICMP
    /// port unreachable), TimedOut (no answer after TcpSettings.SynRetries), HostUnreachable,
    /// NetworkUnreachable, AddressNotAvailable (no ephemeral port left). Cancelling aborts the
    /// half-open connection.
    /// </summary>
    public static ValueTask<TcpStream> ConnectAsync(StackHost host, Ipv4Address remote, ushort port, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (port == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(port), "Connect needs a remote port 1..65535.");
        }

        if (remote.IsUnspecified || remote.IsMulticast || remote.IsReserved || remote.IsLimitedBroadcast)
        {
            throw new ArgumentException($"Cannot connect to {remote}: TCP needs a unicast address.", nameof(remote));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TcpStream>(cancellationToken);
        }

        var stream = new TcpStream(host);
        var connect = new ConnectOperation(stream, remote, port, cancellationToken);
        connect.Start();
        return new ValueTask<TcpStream>(connect.Task);
    }

    /// <summary>Reads what is there (at least one byte), waiting for data if none is; 0 at the end of the stream.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _core.Read.Start(buffer, cancellationToken);
    }

    /// <summary>Queues every byte of <paramref name="buffer"/> for sending; completes when all are in the send buffer.</summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _core.Write.Start(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WaitFor(ReadAsync(buffer.AsMemory(offset, count)));
    }

    public override int Read(Span<byte> buffer)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int n = WaitFor(ReadAsync(rented.AsMemory(0, buffer.Length)));
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        WaitFor(WriteAsync(buffer.AsMemory(offset, count)));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(rented);
            WaitFor(WriteAsync(rented.AsMemory(0, buffer.Length)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Nothing to do: a completed write has handed its bytes to TCP, which sends them as the window allows.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Half-close (shutdown(SHUT_WR)): a FIN follows the bytes already written; reading goes on
    /// until the peer closes. Call it after the last write has completed.
    /// </summary>
    public void ShutdownWrite()
    {
        ThrowIfDisposed();
        if (_core.Write.IsInUse)
        {
            throw new InvalidOperationException("A write is in progress; await it before ShutdownWrite so its bytes precede the FIN.");
        }

        _core.RequestShutdownWrite();
    }

    /// <summary>
    /// Drops the connection with a RST (the peer sees ConnectionReset): queued data is discarded.
    /// The stream is disposed; pending reads and writes fail with OperationAborted.
    /// </summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _core.RequestAbort();
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A TcpStream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A TcpStream has no length.");

    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"TcpStream {LocalEndPoint} -> {RemoteEndPoint}";

    /// <summary>Stack thread: binds the stream to its connection.</summary>
    internal void Attach(TcpConnection connection, ConnectOperation? connect)
    {
        TcpTuple tuple = connection.Tuple;
        LocalEndPoint = SocketAddresses.ToEndPoint(tuple.LocalAddress, tuple.LocalPort);
        RemoteEndPoint = SocketAddresses.ToEndPoint(tuple.RemoteAddress, tuple.RemotePort);
        _noDelay = connection.NoDelay;
        _core.Attach(connection, connect);
    }

    /// <summary>
    /// Closes gracefully: the bytes already written are sent, then a FIN; pending reads fail with
    /// OperationAborted. As on Linux, unread received data turns the close into a reset.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _core.RequestClose();
        }

        base.Dispose(disposing);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private T WaitFor<T>(ValueTask<T> pending)
    {
        if (pending.IsCompleted)
        {
            return pending.GetAwaiter().GetResult();
        }

        ThrowIfBlockingTheStack();
        return pending.AsTask().GetAwaiter().GetResult();
    }

    private void WaitFor(ValueTask pending)
    {
        if (pending.IsCompleted)
        {
            pending.GetAwaiter().GetResult();
            return;
        }

        ThrowIfBlockingTheStack();
        pending.AsTask().GetAwaiter().GetResult();
    }

    private void ThrowIfBlockingTheStack()
    {
        if (_core.Host.IsOnStackThread)
        {
            // Waiting here would wait for this very thread: a deadlock.
            throw new InvalidOperationException("A synchronous read or write that must wait cannot run on the stack thread; use ReadAsync/WriteAsync.");
        }
    }
}
