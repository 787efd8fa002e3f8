using System.Net.Sockets;
using TinyStack.Time;

namespace TinyStack.Host.Sockets;

/// <summary>
/// One <see cref="TcpListener.AcceptAsync"/>: takes an established connection from the listener's
/// accept queue on the stack thread, or waits in line for one. Cancelling it leaves the listener
/// and the queued connections as they were.
/// </summary>
internal sealed class AcceptOperation : IStackWorkItem
{
    private readonly TcpListenerCore _listener;
    private readonly CancellationToken _cancellationToken;
    private readonly TaskCompletionSource<TcpStream> _completion;
    private CancellationTokenRegistration _registration;
    private bool _started;

    public AcceptOperation(TcpListenerCore listener, CancellationToken cancellationToken)
    {
        _listener = listener;
        _cancellationToken = cancellationToken;
        _completion = new TaskCompletionSource<TcpStream>(listener.Host.SocketContinuations == SocketContinuations.StackThread
            ? TaskCreationOptions.None
            : TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public Task<TcpStream> Task => _completion.Task;

    /// <summary>Caller's thread: registers for cancellation and posts the request.</summary>
    public void Start()
    {
        if (_cancellationToken.CanBeCanceled)
        {
            _registration = _cancellationToken.UnsafeRegister(static state => ((AcceptOperation)state!).Post(), this);
        }

        if (!_listener.Host.TryPost(this))
        {
            Fail(new ObjectDisposedException(nameof(StackHost), "The StackHost of this listener has been stopped."));
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
                Cancel();
            }
            else if (_listener.IsStopped)
            {
                Fail(SocketErrors.Socket(SocketError.OperationAborted));
            }
            else if (!_listener.TryServe(this))
            {
                _listener.Wait(this);
            }

            return;
        }

        if (_cancellationToken.IsCancellationRequested)
        {
            _listener.StopWaiting(this);
            Cancel();
        }
    }

    /// <summary>Stack thread: hands over an accepted connection's stream.</summary>
    public void Complete(TcpStream stream)
    {
        _registration.Unregister();
        _completion.TrySetResult(stream);
    }

    /// <summary>Stack thread (or the caller's, when the host is gone): the accept failed.</summary>
    public void Fail(Exception error)
    {
        _registration.Unregister();
        _completion.TrySetException(error);
    }

    private void Cancel()
    {
        _registration.Unregister();
        _completion.TrySetCanceled(_cancellationToken);
    }

    private void Post() => _listener.Host.TryPost(this);
}
