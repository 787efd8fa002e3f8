namespace TinyStack.Host.Sockets;

/// <summary>
/// The read side of a <see cref="TcpStream"/>: completes as soon as any data (or the end of the
/// stream, or an error) is there, like recv(2). A cancelled read has taken nothing from the
/// stream, so the stream stays usable.
/// </summary>
internal sealed class ReadOperation : StreamOperation
{
    private Memory<byte> _buffer;

    public ReadOperation(TcpStreamCore core, bool runContinuationsAsynchronously)
        : base(core, runContinuationsAsynchronously)
    {
    }

    public ValueTask<int> Start(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!TryEnter())
        {
            throw new InvalidOperationException("A read is already in progress on this TcpStream; await it before reading again.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            Exit();
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        if (Core.Host.IsOnStackThread)
        {
            // Already where the connection lives (a StackThread continuation): no queue, no wake-up.
            if (Core.TryReceive(buffer.Span, out int received, out Exception? error))
            {
                Exit();
                return error is null ? new ValueTask<int>(received) : ValueTask.FromException<int>(error);
            }

            _buffer = buffer;
            return new ValueTask<int>(this, BeginPending(cancellationToken));
        }

        _buffer = buffer;
        return new ValueTask<int>(this, BeginPosted(cancellationToken));
    }

    protected override bool TryComplete(out int result, out Exception? error) =>
        Core.TryReceive(_buffer.Span, out result, out error);

    protected override void ClearRequest() => _buffer = default;
}
