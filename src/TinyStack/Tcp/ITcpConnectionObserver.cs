namespace TinyStack.Tcp;

/// <summary>
/// Readiness notifications for one connection, set by the socket layer through
/// <see cref="TcpConnection.Observer"/>. Calls arrive on the stack's thread after the segment or
/// timer that caused them has been fully processed, so the observer may call back into the
/// connection (Receive, Send, Close). Each notification is edge-triggered: it says "something
/// changed", and the observer reads the state it needs.
/// </summary>
public interface ITcpConnectionObserver
{
    /// <summary>The handshake completed: the connection is <see cref="TcpState.Established"/>.</summary>
    void OnConnected(TcpConnection connection);

    /// <summary>Data or the peer's FIN (end of stream) can be received.</summary>
    void OnReadable(TcpConnection connection);

    /// <summary>Send buffer space was freed.</summary>
    void OnWritable(TcpConnection connection);

    /// <summary>The connection is gone (<see cref="TcpState.Closed"/> or in TIME-WAIT after an orderly close), with the reason.</summary>
    void OnClosed(TcpConnection connection, TcpError error);
}
