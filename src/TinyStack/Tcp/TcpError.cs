namespace TinyStack.Tcp;

/// <summary>Why a connection ended (or <see cref="None"/> for an orderly close).</summary>
public enum TcpError : byte
{
    /// <summary>No error: the connection is open or closed in order.</summary>
    None,

    /// <summary>The peer answered our SYN with a RST, or ICMP port/protocol unreachable (ECONNREFUSED).</summary>
    ConnectionRefused,

    /// <summary>The peer reset an established connection (ECONNRESET).</summary>
    ConnectionReset,

    /// <summary>Retransmissions, keepalives or the user timeout gave up (ETIMEDOUT).</summary>
    TimedOut,

    /// <summary>The connection timed out after ICMP host unreachable errors (EHOSTUNREACH).</summary>
    HostUnreachable,

    /// <summary>The connection timed out after ICMP network unreachable errors (ENETUNREACH).</summary>
    NetworkUnreachable,

    /// <summary>Our own application aborted the connection.</summary>
    Aborted,

    /// <summary>The IP layer could not send our segments (no route, no neighbour).</summary>
    NoRoute,
}
