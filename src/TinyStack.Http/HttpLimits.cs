namespace TinyStack.Http;

/// <summary>
/// Size limits on what a client may send. They are checked before the bytes they bound are
/// parsed, so an oversized request costs at most the limit in memory. Defaults follow common
/// servers; a route may raise the body limit (<see cref="Routing.HttpRoute.MaxRequestBodyBytes"/>).
/// </summary>
public sealed class HttpLimits
{
    /// <summary>Longest request line (method, target, version and CRLF); longer is answered 414.</summary>
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;

    /// <summary>Largest header block (every field line and the empty line); larger is answered 431.</summary>
    public int MaxHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>Most header fields in one request; more are answered 431.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>Largest request body by default; larger is answered 413. Routes may raise it.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Longest chunk-size line with its extensions, in a chunked body (RFC 9112 §7.1.1).</summary>
    public int MaxChunkLineBytes { get; init; } = 4 * 1024;

    public static HttpLimits Default { get; } = new();
}
