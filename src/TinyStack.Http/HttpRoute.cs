namespace TinyStack.Http;

/// <summary>One route of an <see cref="HttpApp"/>: a method, a path pattern and a handler.</summary>
public sealed class HttpRoute
{
    internal HttpRoute(RequestMethod method, RoutePattern pattern, HttpHandler handler)
    {
        Method = method;
        Pattern = pattern;
        Handler = handler;
    }

    public RequestMethod Method { get; }

    public RoutePattern Pattern { get; }

    public HttpHandler Handler { get; }

    /// <summary>
    /// The largest request body this route accepts; null for the server's default
    /// (<see cref="HttpLimits.MaxRequestBodyBytes"/>). A Content-Length above it is answered 413
    /// before the body is read; a chunked body is stopped when it passes it.
    /// </summary>
    public long? MaxRequestBodyBytes { get; private set; }

    /// <summary>Raises (or lowers) this route's body limit; <see cref="long.MaxValue"/> for no limit.</summary>
    public HttpRoute WithMaxRequestBodyBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        MaxRequestBodyBytes = bytes;
        return this;
    }

    public override string ToString() => $"{Method.ToString().ToUpperInvariant()} {Pattern}";
}
