namespace TinyStack.Http;

/// <summary>
/// The header fields an application adds to a response. The server writes the framing fields
/// itself (Date, Server, Content-Length, Transfer-Encoding, Connection): setting those here is
/// refused. Names must be tokens and values visible ASCII, so no header can inject a line break.
/// </summary>
public sealed class HttpResponseHeaders
{
    private static readonly System.Buffers.SearchValues<char> s_tokenChars = System.Buffers.SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private readonly List<KeyValuePair<string, string>> _fields = [];

    public int Count => _fields.Count;

    public KeyValuePair<string, string> this[int index] => _fields[index];

    /// <summary>Sets a field, replacing any field of that name.</summary>
    public void Set(string name, string value)
    {
        Remove(name);
        Add(name, value);
    }

    /// <summary>Adds a field (for fields that repeat, such as Set-Cookie).</summary>
    public void Add(string name, string value)
    {
        Check(name, value);
        _fields.Add(new(name, value));
    }

    public string? Get(string name)
    {
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return field.Value;
            }
        }

        return null;
    }

    public bool Remove(string name)
    {
        bool removed = false;
        for (int i = _fields.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_fields[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                _fields.RemoveAt(i);
                removed = true;
            }
        }

        return removed;
    }

    internal void Clear() => _fields.Clear();

    private static void Check(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Length == 0 || name.AsSpan().ContainsAnyExcept(s_tokenChars))
        {
            throw new ArgumentException($"'{name}' is not a valid header name (RFC 9110 token).", nameof(name));
        }

        foreach (char c in value)
        {
            if ((c < 0x20 && c != '\t') || c >= 0x7F)
            {
                throw new ArgumentException($"The value of header '{name}' must be visible ASCII (no control characters or line breaks).", nameof(value));
            }
        }

        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Date", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Server", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The server writes '{name}' itself: use HttpResponse.ContentLength or HttpResponse.CloseConnection.", nameof(name));
        }
    }
}
