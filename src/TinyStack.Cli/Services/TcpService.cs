using TinyStack.Host.Sockets;

namespace TinyStack.Cli.Services;

/// <summary>A small TCP service of the classic inetd kind: a port, and what to do with each connection.</summary>
public abstract class TcpService
{
    /// <summary>The well-known port.</summary>
    public abstract ushort Port { get; }

    /// <summary>Its name, for logs.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Serves one connection until it is done or <paramref name="cancellationToken"/> (the service
    /// stopping) fires. The caller disposes the stream afterwards (a graceful close); socket errors
    /// (the peer reset, ...) may escape and are logged by the caller.
    /// </summary>
    public abstract Task ServeAsync(TcpStream stream, CancellationToken cancellationToken);
}
