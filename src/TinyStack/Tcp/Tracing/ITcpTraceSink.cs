namespace TinyStack.Tcp.Tracing;

/// <summary>
/// Told when a connection's trace begins and ends (<see cref="TcpSettings.TraceSink"/>), on the
/// stack's thread, e.g. to write one CSV file per connection. Must not call back into the stack.
/// </summary>
public interface ITcpTraceSink
{
    /// <summary>The connection was established and its trace ring created.</summary>
    void OnTraceStarted(TcpConnection connection, TcpTrace trace);

    /// <summary>The connection reached TIME-WAIT or CLOSED: its trace is complete.</summary>
    void OnTraceCompleted(TcpConnection connection, TcpTrace trace);
}
