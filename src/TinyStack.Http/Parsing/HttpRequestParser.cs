namespace TinyStack.Http.Parsing;

/// <summary>
/// Parses a request head (request line and header fields, RFC 9112 §2-§5) from bytes as they
/// arrive. Resumable: each call consumes only complete lines and reports how many bytes it
/// consumed; the caller keeps the rest, appends what arrives next and calls again. Limits are
/// checked before the bytes they bound are searched, so a client can make the server hold at most
/// the limit. No allocation: results go to a struct handler as spans.
/// </summary>
/// <remarks>
/// One instance serves one connection, request after request (<see cref="Reset"/> between them).
/// Line ends must be CRLF: a bare LF or CR is rejected, since agreeing with every other parser on
/// where a line ends is what keeps request smuggling out (RFC 9112 §2.2 allows, not requires,
/// accepting a bare LF).
/// </remarks>
public sealed class HttpRequestParser
{
    private readonly HttpLimits _limits;
    private bool _inHeaders;
    private int _headerBytes;
    private int _headerCount;

    public HttpRequestParser(HttpLimits? limits = null)
    {
        _limits = limits ?? HttpLimits.Default;
    }

    /// <summary>Why the last call returned <see cref="HttpParseStatus.Error"/>.</summary>
    public RequestError Error { get; private set; }

    /// <summary>True once the request line has been parsed (the next bytes are header fields).</summary>
    public bool HasRequestLine => _inHeaders;

    /// <summary>Prepares for the next request on the connection.</summary>
    public void Reset()
    {
        _inHeaders = false;
        _headerBytes = 0;
        _headerCount = 0;
        Error = default;
    }

    /// <summary>
    /// Parses as much of the head as <paramref name="buffer"/> holds. Complete: the empty line
    /// ending the head has been consumed (the body, if any, starts at <paramref name="consumed"/>).
    /// </summary>
    public HttpParseStatus Parse<THandler>(ReadOnlySpan<byte> buffer, ref THandler handler, out int consumed)
        where THandler : struct, IHttpRequestHandler
    {
        consumed = 0;
        if (Error.IsError)
        {
            return HttpParseStatus.Error;
        }

        if (!_inHeaders)
        {
            // RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) received before
            // the request line (some clients send one after a POST body).
            while (buffer.Length - consumed >= 2 && buffer[consumed] == HttpChars.Cr && buffer[consumed + 1] == HttpChars.Lf)
            {
                consumed += 2;
            }

            HttpParseStatus line = ParseRequestLine(buffer[consumed..], ref handler, out int lineBytes);
            consumed += lineBytes;
            if (line != HttpParseStatus.Complete)
            {
                return line;
            }

            _inHeaders = true;
        }

        HttpParseStatus headers = ParseHeaders(buffer[consumed..], ref handler, out int headerBytes);
        consumed += headerBytes;
        return headers;
    }

    private HttpParseStatus ParseRequestLine<THandler>(ReadOnlySpan<byte> buffer, ref THandler handler, out int consumed)
        where THandler : struct, IHttpRequestHandler
    {
        consumed = 0;

        // The limit first: look for the line end only within it (RFC 9112 §3: 414 for a target too long).
        int window = Math.Min(buffer.Length, _limits.MaxRequestLineBytes);
        int lf = buffer[..window].IndexOf(HttpChars.Lf);
        if (lf < 0)
        {
            if (buffer.Length >= _limits.MaxRequestLineBytes)
            {
                return Fail(414, "request line too long");
            }

            // Reject what cannot become a request line without waiting for its end: a method
            // must be a token, so anything else before the first space is already wrong.
            int space = buffer[..window].IndexOf(HttpChars.Space);
            ReadOnlySpan<byte> methodSoFar = space < 0 ? buffer[..window] : buffer[..space];
            bool halfEmptyLine = window == 1 && buffer[0] == HttpChars.Cr;
            if (!halfEmptyLine && (methodSoFar.ContainsAnyExcept(HttpChars.Token) || space == 0))
            {
                return Fail(400, "malformed request line");
            }

            return HttpParseStatus.Incomplete;
        }

        if (lf == 0 || buffer[lf - 1] != HttpChars.Cr)
        {
            return Fail(400, "request line not ended by CRLF");
        }

        ReadOnlySpan<byte> line = buffer[..(lf - 1)];

        // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), single spaces.
        int firstSpace = line.IndexOf(HttpChars.Space);
        if (firstSpace <= 0)
        {
            return Fail(400, "malformed request line");
        }

        ReadOnlySpan<byte> methodText = line[..firstSpace];
        ReadOnlySpan<byte> rest = line[(firstSpace + 1)..];
        int secondSpace = rest.IndexOf(HttpChars.Space);
        if (secondSpace <= 0)
        {
            return Fail(400, "malformed request line");
        }

        ReadOnlySpan<byte> target = rest[..secondSpace];
        ReadOnlySpan<byte> versionText = rest[(secondSpace + 1)..];
        if (!HttpChars.IsToken(methodText))
        {
            return Fail(400, "invalid method");
        }

        if (target.ContainsAny(HttpChars.InvalidInTarget) || versionText.Contains(HttpChars.Space))
        {
            return Fail(400, "invalid request target");
        }

        if (!TryParseVersion(versionText, out HttpProtocol protocol, out bool wellFormed))
        {
            return wellFormed ? Fail(505, "HTTP version not supported") : Fail(400, "invalid HTTP version");
        }

        if (!TryParseMethod(methodText, out RequestMethod method))
        {
            return Fail(501, "method not implemented");
        }

        if (!IsAcceptableTarget(target, method))
        {
            return Fail(400, "invalid request target");
        }

        handler.OnRequestLine(method, protocol, target);
        consumed = lf + 1;
        return HttpParseStatus.Complete;
    }

    private HttpParseStatus ParseHeaders<THandler>(ReadOnlySpan<byte> buffer, ref THandler handler, out int consumed)
        where THandler : struct, IHttpRequestHandler
    {
        consumed = 0;
        while (true)
        {
            ReadOnlySpan<byte> remaining = buffer[consumed..];
            int allowance = _limits.MaxHeaderBytes - _headerBytes;
            int lf = remaining[..Math.Min(remaining.Length, allowance)].IndexOf(HttpChars.Lf);
            if (lf < 0)
            {
                if (remaining.Length >= allowance)
                {
                    return Fail(431, "request header fields too large");
                }

                return HttpParseStatus.Incomplete;
            }

            if (lf == 0 || remaining[lf - 1] != HttpChars.Cr)
            {
                return Fail(400, "header line not ended by CRLF");
            }

            ReadOnlySpan<byte> line = remaining[..(lf - 1)];
            if (line.IsEmpty)
            {
                // The empty line: the head is complete (RFC 9112 §2.1).
                consumed += lf + 1;
                return HttpParseStatus.Complete;
            }

            if (_headerCount == _limits.MaxHeaderCount)
            {
                return Fail(431, "too many header fields");
            }

            if (!HttpChars.TryParseFieldLine(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out string reason))
            {
                return Fail(400, reason);
            }

            handler.OnHeader(name, value);
            _headerCount++;
            _headerBytes += lf + 1;
            consumed += lf + 1;
        }
    }

    private HttpParseStatus Fail(int status, string reason)
    {
        Error = new RequestError(status, reason);
        return HttpParseStatus.Error;
    }

    /// <summary>HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3), case-sensitive; major version 1 only (others 505).</summary>
    private static bool TryParseVersion(ReadOnlySpan<byte> text, out HttpProtocol protocol, out bool wellFormed)
    {
        protocol = default;
        wellFormed = text.Length == 8 && text.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)text[5]) && text[6] == (byte)'.'
            && char.IsAsciiDigit((char)text[7]);
        if (!wellFormed || text[5] != (byte)'1')
        {
            return false;
        }

        // RFC 9110 §2.5: a higher minor version of a major version we implement is processed as
        // the highest minor version we conform to, 1.1 (HTTP/1.2 is served, not refused).
        protocol = text[7] == (byte)'0' ? HttpProtocol.Http10 : HttpProtocol.Http11;
        return true;
    }

    /// <summary>Methods are case-sensitive (RFC 9110 §9.1).</summary>
    private static bool TryParseMethod(ReadOnlySpan<byte> text, out RequestMethod method)
    {
        switch (text.Length)
        {
            case 3 when text.SequenceEqual("GET"u8):
                method = RequestMethod.Get;
                return true;
            case 3 when text.SequenceEqual("PUT"u8):
                method = RequestMethod.Put;
                return true;
            case 4 when text.SequenceEqual("HEAD"u8):
                method = RequestMethod.Head;
                return true;
            case 4 when text.SequenceEqual("POST"u8):
                method = RequestMethod.Post;
                return true;
            case 5 when text.SequenceEqual("PATCH"u8):
                method = RequestMethod.Patch;
                return true;
            case 6 when text.SequenceEqual("DELETE"u8):
                method = RequestMethod.Delete;
                return true;
            case 7 when text.SequenceEqual("OPTIONS"u8):
                method = RequestMethod.Options;
                return true;
            default:
                method = default;
                return false;
        }
    }

    /// <summary>
    /// origin-form ("/path?query"), absolute-form ("http://host/path", RFC 9112 §3.2.2: a server
    /// MUST accept it), or asterisk-form ("*", OPTIONS only, §3.2.4).
    /// </summary>
    private static bool IsAcceptableTarget(ReadOnlySpan<byte> target, RequestMethod method)
    {
        if (target[0] == (byte)'/')
        {
            return true;
        }

        if (target.Length == 1 && target[0] == (byte)'*')
        {
            return method == RequestMethod.Options;
        }

        return HttpTarget.TryGetAbsoluteFormPath(target, out _);
    }
}
