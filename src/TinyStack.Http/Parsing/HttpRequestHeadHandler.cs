namespace TinyStack.Http.Parsing;

/// <summary>The parser's handler that stores what it finds in an <see cref="HttpRequestHead"/>.</summary>
public readonly struct HttpRequestHeadHandler : IHttpRequestHandler
{
    private readonly HttpRequestHead _head;

    public HttpRequestHeadHandler(HttpRequestHead head)
    {
        _head = head;
    }

    public void OnRequestLine(RequestMethod method, HttpProtocol protocol, ReadOnlySpan<byte> target) =>
        _head.SetRequestLine(method, protocol, target);

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => _head.AddField(name, value);
}
