using System.Net;
using System.Text;
using TinyStack.Http.Parsing;

namespace TinyStack.Http;

/// <summary>
/// The request being handled: method, target, headers and the body as a stream. Strings are made
/// only when asked for (and the path is cached across requests on the connection), so serving a
/// request allocates little beyond what the handler itself asks for.
/// </summary>
public sealed class HttpRequest
{
    private readonly HttpRequestHead _head;
    private readonly RequestBodyStream _body;
    private byte[] _cachedPathBytes = [];
    private string _cachedPath = "/";
    private string? _path;
    private string? _query;
    private Dictionary<string, string>? _queryValues;

    internal HttpRequest(HttpRequestHead head, RequestBodyStream body)
    {
        _head = head;
        _body = body;
    }

    public RequestMethod Method => _head.Method;

    public HttpProtocol Protocol => _head.Protocol;

    /// <summary>The path, percent-decoded (an encoded '/' stays "%2F"), e.g. "/notes/42".</summary>
    public string Path => _path ??= DecodePath();

    /// <summary>The query without the '?', as sent (empty when none).</summary>
    public string QueryString => _query ??= Encoding.ASCII.GetString(RawQuery);

    /// <summary>The request target exactly as sent.</summary>
    public string RawTarget => Encoding.ASCII.GetString(_head.Target);

    /// <summary>The Content-Length the client sent, or null (no body, or chunked).</summary>
    public long? ContentLength => _head.ContentLength >= 0 ? _head.ContentLength : null;

    /// <summary>True when the body is sent chunked.</summary>
    public bool IsChunked => _head.IsChunked;

    /// <summary>True when the request has a body.</summary>
    public bool HasBody => _head.HasBody;

    /// <summary>The body: read it to the end (0) to receive it all; the framing is already removed.</summary>
    public Stream Body => _body;

    /// <summary>
    /// The largest body this request may send (the route's limit, or the server's default); raise it
    /// before reading to accept a larger body. Exceeding it while reading throws 413.
    /// </summary>
    public long MaxBodyBytes
    {
        get => _body.Limit;
        set => _body.Limit = value;
    }

    /// <summary>Trailer fields that came after a chunked body (counted, not kept).</summary>
    public int TrailerCount => _body.TrailerCount;

    public IPEndPoint RemoteEndPoint { get; internal set; } = new(IPAddress.None, 0);

    public IPEndPoint LocalEndPoint { get; internal set; } = new(IPAddress.None, 0);

    /// <summary>True when the request came over TLS.</summary>
    public bool IsHttps { get; internal set; }

    public int HeaderCount => _head.FieldCount;

    private ReadOnlySpan<byte> RawPath
    {
        get
        {
            ReadOnlySpan<byte> target = _head.Target;
            if (HttpTarget.TryGetAbsoluteFormPath(target, out ReadOnlySpan<byte> pathAndQuery))
            {
                target = pathAndQuery;
            }

            HttpTarget.Split(target, out ReadOnlySpan<byte> path, out _);
            return path;
        }
    }

    private ReadOnlySpan<byte> RawQuery
    {
        get
        {
            ReadOnlySpan<byte> target = _head.Target;
            if (HttpTarget.TryGetAbsoluteFormPath(target, out ReadOnlySpan<byte> pathAndQuery))
            {
                target = pathAndQuery;
            }

            HttpTarget.Split(target, out _, out ReadOnlySpan<byte> query);
            return query;
        }
    }

    /// <summary>The first header field of that name (case-insensitive), or null.</summary>
    public string? GetHeader(string name) =>
        _head.TryGetField(name, out ReadOnlySpan<byte> value) ? Encoding.Latin1.GetString(value) : null;

    /// <summary>The first header field of that name as raw bytes, without allocating.</summary>
    public bool TryGetHeader(string name, out ReadOnlySpan<byte> value) => _head.TryGetField(name, out value);

    /// <summary>Every header field in the order received.</summary>
    public IEnumerable<KeyValuePair<string, string>> Headers
    {
        get
        {
            List<KeyValuePair<string, string>> fields = new(_head.FieldCount);
            for (int i = 0; i < _head.FieldCount; i++)
            {
                fields.Add(new(Encoding.ASCII.GetString(_head.FieldName(i)), Encoding.Latin1.GetString(_head.FieldValue(i))));
            }

            return fields;
        }
    }

    /// <summary>A query parameter (decoded), or null. The first one wins when repeated.</summary>
    public string? GetQuery(string name)
    {
        if (_queryValues is null)
        {
            _queryValues = new Dictionary<string, string>(StringComparer.Ordinal);
            ReadOnlySpan<byte> query = RawQuery;
            foreach (Range range in query.Split((byte)'&'))
            {
                ReadOnlySpan<byte> pair = query[range];
                if (pair.IsEmpty)
                {
                    continue;
                }

                int equals = pair.IndexOf((byte)'=');
                string key = HttpTarget.DecodeQueryComponent(equals < 0 ? pair : pair[..equals]);
                string value = equals < 0 ? string.Empty : HttpTarget.DecodeQueryComponent(pair[(equals + 1)..]);
                _queryValues.TryAdd(key, value);
            }
        }

        return _queryValues.GetValueOrDefault(name);
    }

    /// <summary>Reads the whole body (up to <see cref="MaxBodyBytes"/>) into an array.</summary>
    public async ValueTask<byte[]> ReadBodyAsync(CancellationToken cancellationToken = default)
    {
        using MemoryStream collected = new();
        await _body.CopyToAsync(collected, cancellationToken).ConfigureAwait(false);
        return collected.ToArray();
    }

    /// <summary>Reads the whole body as UTF-8 text.</summary>
    public async ValueTask<string> ReadBodyAsStringAsync(CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await ReadBodyAsync(cancellationToken).ConfigureAwait(false));

    internal void Begin()
    {
        _path = null;
        _query = null;
        _queryValues = null;
    }

    /// <summary>Repeated requests for one path on a connection (the common case) reuse its string.</summary>
    private string DecodePath()
    {
        ReadOnlySpan<byte> raw = RawPath;
        if (raw.IsEmpty)
        {
            return "*";
        }

        if (!raw.SequenceEqual(_cachedPathBytes))
        {
            _cachedPath = HttpTarget.DecodePath(raw);
            _cachedPathBytes = raw.ToArray();
        }

        return _cachedPath;
    }
}
