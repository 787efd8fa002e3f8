using System.Threading.Tasks.Sources;
using TinyStack.Time;

namespace TinyStack.Host.Sockets;

/// <summary>
/// The one pending read (or write) of a <see cref="TcpStream"/>: a reusable
/// <see cref="IValueTaskSource{TResult}"/> that is also the work item posted to the stack thread,
/// so a steady stream of calls allocates nothing.
/// </summary>
/// <remarks>
/// Threads: <see cref="TryEnter"/>, <see cref="BeginPosted"/> and <see cref="GetResult"/> run on
/// the caller's thread; everything else on the stack thread. The caller publishes the request
/// (buffer, token, registration) and only then posts, so the stack thread sees it complete; all
/// completions happen on the stack thread. The same item may be queued twice (the request and a
/// cancellation): <see cref="Run"/> does only what is still due, so a stale entry is harmless.
/// </remarks>
internal abstract class StreamOperation : IValueTaskSource<int>, IValueTaskSource, IStackWorkItem
{
    private ManualResetValueTaskSourceCore<int> _source;
    private CancellationToken _cancellationToken;
    private CancellationTokenRegistration _registration;

    // 1 from the call until the caller has taken the result (GetResult): one operation at a time.
    private int _inUse;

    // Set by the caller after it published the request; the stack thread takes it over.
    private volatile bool _requested;

    // Stack thread: the request is waiting for data (or room) to arrive.
    private bool _pending;

    protected StreamOperation(TcpStreamCore core, bool runContinuationsAsynchronously)
    {
        Core = core;
        _source.RunContinuationsAsynchronously = runContinuationsAsynchronously;
    }

    protected TcpStreamCore Core { get; }

    /// <summary>True from a call until its result is taken (for calls that must not overtake it).</summary>
    public bool IsInUse => Volatile.Read(ref _inUse) != 0;

    /// <summary>The token of the operation in progress (read on the stack thread).</summary>
    protected CancellationToken CancellationToken => _cancellationToken;

    /// <summary>Claims the operation for one call; false if one is already in progress.</summary>
    protected bool TryEnter() => Interlocked.Exchange(ref _inUse, 1) == 0;

    /// <summary>Releases the claim of a call that completed without the source.</summary>
    protected void Exit() => Volatile.Write(ref _inUse, 0);

    /// <summary>On the stack thread: waits from here on, for a call that could not complete at once.</summary>
    protected short BeginPending(CancellationToken cancellationToken)
    {
        _source.Reset();
        _cancellationToken = cancellationToken;
        _pending = true;
        Register(cancellationToken);
        return _source.Version;
    }

    /// <summary>On any other thread: publishes the request and posts it to the stack thread.</summary>
    protected short BeginPosted(CancellationToken cancellationToken)
    {
        _source.Reset();
        _cancellationToken = cancellationToken;
        Register(cancellationToken);
        short version = _source.Version;
        _requested = true;
        if (!Core.Host.TryPost(this))
        {
            // The host has stopped: nothing else will touch this operation again.
            _requested = false;
            _registration.Unregister();
            _registration = default;
            ClearRequest();
            _source.SetException(new ObjectDisposedException(nameof(StackHost), "The StackHost of this TcpStream has been stopped."));
        }

        return version;
    }

    /// <summary>Stack thread: tries to finish the request; true with its result (or error) when done.</summary>
    protected abstract bool TryComplete(out int result, out Exception? error);

    /// <summary>Stack thread: the request was cancelled before it finished; returns what the caller sees.</summary>
    protected virtual Exception OnCancelled() => new OperationCanceledException(_cancellationToken);

    /// <summary>Stack thread: forgets the request's buffer (so it is not kept alive).</summary>
    protected abstract void ClearRequest();

    /// <summary>Stack thread: makes progress if a request is waiting (data, room, close, or cancellation).</summary>
    public void Progress()
    {
        if (!_pending)
        {
            return;
        }

        if (TryComplete(out int result, out Exception? error))
        {
            Finish(result, error);
        }
        else if (_cancellationToken.IsCancellationRequested)
        {
            // Not pending any more before OnCancelled: aborting the connection there notifies
            // this operation again, and it must not complete twice.
            _pending = false;
            Finish(0, OnCancelled());
        }
    }

    public void Run(NetworkStack stack, Instant now, IFrameSink tx)
    {
        if (_requested)
        {
            _requested = false;
            _pending = true;
        }

        Progress();
    }

    public int GetResult(short token)
    {
        try
        {
            return _source.GetResult(token);
        }
        finally
        {
            Exit();
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _source.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);

    private void Register(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            // The callback only posts this item: the stack thread decides (a callback that ran
            // the completion itself could re-enter user code on the thread that cancelled).
            _registration = cancellationToken.UnsafeRegister(static state => ((StreamOperation)state!).Core.Host.TryPost((StreamOperation)state!), this);
        }
    }

    private void Finish(int result, Exception? error)
    {
        // Every field is settled before the source completes: with StackThread continuations the
        // caller's code runs inside SetResult and may start the next operation at once.
        _pending = false;
        _registration.Unregister();
        _registration = default;
        _cancellationToken = default;
        ClearRequest();
        if (error is null)
        {
            _source.SetResult(result);
        }
        else
        {
            _source.SetException(error);
        }
    }
}
