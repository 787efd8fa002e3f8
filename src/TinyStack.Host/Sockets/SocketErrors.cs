using System.Net.Sockets;
using TinyStack.Tcp;

namespace TinyStack.Host.Sockets;

/// <summary>
/// Turns the engine's <see cref="TcpError"/> into the exceptions .NET code already knows from
/// <see cref="Socket"/> and <see cref="NetworkStream"/>: a <see cref="SocketException"/> with the
/// matching <see cref="SocketError"/>, wrapped in an <see cref="IOException"/> on reads and writes.
/// </summary>
internal static class SocketErrors
{
    public static SocketError ToSocketError(TcpError error) => error switch
    {
        TcpError.ConnectionRefused => SocketError.ConnectionRefused,
        TcpError.ConnectionReset => SocketError.ConnectionReset,
        TcpError.TimedOut => SocketError.TimedOut,
        TcpError.HostUnreachable => SocketError.HostUnreachable,
        TcpError.NetworkUnreachable => SocketError.NetworkUnreachable,
        TcpError.NoRoute => SocketError.HostUnreachable,
        TcpError.Aborted => SocketError.OperationAborted,
        _ => SocketError.ConnectionAborted,
    };

    public static SocketException Socket(SocketError error) => new((int)error);

    public static SocketException Socket(TcpError error) => Socket(ToSocketError(error));

    /// <summary>What a failed read throws, as <see cref="NetworkStream"/> words it.</summary>
    public static IOException Read(SocketError error)
    {
        SocketException inner = Socket(error);
        return new IOException($"Unable to read data from the transport connection: {inner.Message}.", inner);
    }

    /// <summary>What a failed write throws, as <see cref="NetworkStream"/> words it.</summary>
    public static IOException Write(SocketError error)
    {
        SocketException inner = Socket(error);
        return new IOException($"Unable to write data to the transport connection: {inner.Message}.", inner);
    }
}
