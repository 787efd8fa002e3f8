using System.Net.Sockets;
using TinyStack.Tcp;
using TinyStack.Time;
using CoreListener = TinyStack.Tcp.TcpListener;

namespace TinyStack.Host.Sockets;

/// <summary>
/// The stack-thread half of a <see cref="TcpListener"/>: it owns the engine's listener, hears
/// that connections are ready (<see cref="ITcpListenerObserver"/>) and hands them to the accept
/// calls waiting in line, oldest first. As an <see cref="IStackWorkItem"/> it is the stop command.
/// </summary>
internal sealed class TcpListenerCore : ITcpListenerObserver, IStackWorkItem
{
    private readonly List<AcceptOperation> _waiting = [];
    private CoreListener? _listener;

    public TcpListenerCore(StackHost host)
    {
        Host = host;
    }

    public StackHost Host { get; }

    /// <summary>Stack thread: the listener was stopped (or never started).</summary>
    public bool IsStopped => _listener is null || _listener.IsClosed;

    /// <summary>Stack thread: LISTEN on <paramref name="port"/>; throws if the port is taken.</summary>
    public void Listen(NetworkStack stack, ushort port, int backlog)
    {
        _listener = stack.Tcp.Listen(port, backlog);
        _listener.Observer = this;
    }

    /// <summary>Stack thread: completes <paramref name="accept"/> if a connection is ready.</summary>
    public bool TryServe(AcceptOperation accept)
    {
        TcpConnection? connection = _listener?.Accept();
        if (connection is null)
        {
            return false;
        }

        accept.Complete(new TcpStream(Host, connection));
        return true;
    }

    public void Wait(AcceptOperation accept) => _waiting.Add(accept);

    public void StopWaiting(AcceptOperation accept) => _waiting.Remove(accept);

    public void OnAcceptable(CoreListener listener)
    {
        while (_waiting.Count > 0)
        {
            AcceptOperation next = _waiting[0];
            if (!TryServe(next))
            {
                return;
            }

            _waiting.RemoveAt(0);
        }
    }

    /// <summary>Stack thread: the stop command. Connections not yet accepted are reset (as Linux).</summary>
    public void Run(NetworkStack stack, Instant now, IFrameSink tx)
    {
        if (_listener is null || _listener.IsClosed)
        {
            return;
        }

        _listener.Observer = null;
        _listener.Close();
        AcceptOperation[] waiting = [.. _waiting];
        _waiting.Clear();
        foreach (AcceptOperation accept in waiting)
        {
            accept.Fail(SocketErrors.Socket(SocketError.OperationAborted));
        }
    }
}
