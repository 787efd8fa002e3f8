namespace TinyStack.Http.Parsing;

/// <summary>
/// Receives what <see cref="HttpRequestParser"/> finds. Implemented by a struct so the parser's
/// calls are direct (the generic parser is specialised for it) and nothing is boxed. The spans are
/// valid only during the call: copy what must be kept.
/// </summary>
public interface IHttpRequestHandler
{
    void OnRequestLine(RequestMethod method, HttpProtocol protocol, ReadOnlySpan<byte> target);

    /// <summary>One header field; the value has its leading and trailing whitespace removed.</summary>
    void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}
