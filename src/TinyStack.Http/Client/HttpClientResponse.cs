namespace TinyStack.Http.Client;

/// <summary>The head of a response received by <see cref="HttpResponseReader"/>.</summary>
public sealed class HttpClientResponse
{
    internal HttpClientResponse(string version, int statusCode, string reasonPhrase, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Version = version;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
    }

    /// <summary>"HTTP/1.1" or "HTTP/1.0".</summary>
    public string Version { get; }

    public int StatusCode { get; }

    public string ReasonPhrase { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Content-Length, or null.</summary>
    public long? ContentLength => long.TryParse(GetHeader("Content-Length"), out long length) ? length : null;

    public bool IsChunked => GetHeader("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) ?? false;

    /// <summary>True when the server will close after this response.</summary>
    public bool ConnectionClose =>
        (GetHeader("Connection")?.Contains("close", StringComparison.OrdinalIgnoreCase) ?? false)
        || (Version == "HTTP/1.0" && !(GetHeader("Connection")?.Contains("keep-alive", StringComparison.OrdinalIgnoreCase) ?? false));

    /// <summary>The first header of that name (case-insensitive), or null.</summary>
    public string? GetHeader(string name)
    {
        foreach (KeyValuePair<string, string> header in Headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }

    /// <summary>The status line and headers as they would be printed by <c>curl -i</c>.</summary>
    public string FormatHead()
    {
        System.Text.StringBuilder text = new();
        text.Append(Version).Append(' ').Append(StatusCode).Append(' ').Append(ReasonPhrase).Append("\r\n");
        foreach (KeyValuePair<string, string> header in Headers)
        {
            text.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
        }

        return text.Append("\r\n").ToString();
    }
}
