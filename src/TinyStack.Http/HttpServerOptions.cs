using System.Security.Cryptography.X509Certificates;

namespace TinyStack.Http;

/// <summary>How an <see cref="HttpServer"/> serves: limits, timeouts, connection cap, TLS.</summary>
public sealed class HttpServerOptions
{
    /// <summary>Request size limits (defaults: request line 8 KiB, head 64 KiB and 100 fields, body 1 MiB).</summary>
    public HttpLimits Limits { get; init; } = HttpLimits.Default;

    /// <summary>How long a kept-alive connection may wait for its next request, and how long a
    /// request may go without progress (body bytes in, response bytes out), before it is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a request head may take from its first byte to its empty line (and a TLS handshake
    /// to finish). A client that sends it slower (slowloris) is answered 408 and closed.
    /// </summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections served at once; one more is answered 503 and closed.</summary>
    public int MaxConnections { get; init; } = 16384;

    /// <summary>Connections waiting (half-open, and established but not yet accepted) in the listener.</summary>
    public int Backlog { get; init; } = 1024;

    /// <summary>
    /// How long, after the last response of a connection, the server keeps reading (and discarding)
    /// what the client still sends before closing, so that the close does not turn into a reset
    /// that destroys the response in flight (RFC 9112 §9.6).
    /// </summary>
    public TimeSpan LingerTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most body bytes read and discarded after a handler to keep a connection alive.</summary>
    public long MaxDrainBytes { get; init; } = 256 * 1024;

    /// <summary>The Server header.</summary>
    public string ServerName { get; init; } = "TinyStack";

    /// <summary>When set, the server speaks HTTPS (TLS 1.2 or 1.3 through <see cref="System.Net.Security.SslStream"/>) with this certificate.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Receives one line per unexpected failure (a handler that threw, a failed handshake).</summary>
    public Action<string>? Log { get; init; }
}
