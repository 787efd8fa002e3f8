namespace TinyStack.Host.Sockets;

/// <summary>
/// The write side of a <see cref="TcpStream"/>: copies the caller's bytes into the connection's
/// send buffer as room appears and completes when the last byte is in it (back-pressure: a
/// writer faster than the network waits here). Cancelling a write that has queued nothing leaves
/// the stream usable; cancelling one that queued a part aborts the connection, because the peer
/// would otherwise receive a message cut at a point the caller cannot know.
/// </summary>
internal sealed class WriteOperation : StreamOperation
{
    private ReadOnlyMemory<byte> _buffer;
    private int _written;

    public WriteOperation(TcpStreamCore core, bool runContinuationsAsynchronously)
        : base(core, runContinuationsAsynchronously)
    {
    }

    public ValueTask Start(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!TryEnter())
        {
            throw new InvalidOperationException("A write is already in progress on this TcpStream; await it before writing again.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            Exit();
            return ValueTask.FromCanceled(cancellationToken);
        }

        _written = 0;
        if (Core.Host.IsOnStackThread)
        {
            if (Core.TrySend(buffer.Span, ref _written, out Exception? error))
            {
                Exit();
                return error is null ? ValueTask.CompletedTask : ValueTask.FromException(error);
            }

            _buffer = buffer;
            return new ValueTask(this, BeginPending(cancellationToken));
        }

        _buffer = buffer;
        return new ValueTask(this, BeginPosted(cancellationToken));
    }

    protected override bool TryComplete(out int result, out Exception? error)
    {
        bool done = Core.TrySend(_buffer.Span, ref _written, out error);
        result = _written;
        return done;
    }

    protected override Exception OnCancelled()
    {
        if (_written > 0)
        {
            Core.AbortAfterPartialWrite();
        }

        return base.OnCancelled();
    }

    protected override void ClearRequest() => _buffer = default;
}
