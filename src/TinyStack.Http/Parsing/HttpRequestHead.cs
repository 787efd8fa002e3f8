using System.Buffers.Text;

namespace TinyStack.Http.Parsing;

/// <summary>
/// The parsed head of one request: method, target, version, the header fields (kept as bytes,
/// turned into strings only when asked) and what the framing headers say. One instance serves a
/// connection request after request: its storage grows to the largest head seen (bounded by the
/// limits) and is then reused, so parsing a request allocates nothing.
/// </summary>
public sealed class HttpRequestHead
{
    private byte[] _target = new byte[256];
    private int _targetLength;
    private byte[] _fieldBytes = new byte[1024];
    private int _fieldBytesLength;
    private FieldRange[] _fields = new FieldRange[16];
    private int _fieldCount;
    private int _contentLengthCount;
    private bool _contentLengthInvalid;
    private bool _transferEncodingInvalid;
    private bool _transferEncodingUnsupported;
    private int _transferEncodingCount;
    private int _hostCount;
    private bool _expectUnsupported;

    public RequestMethod Method { get; private set; }

    public HttpProtocol Protocol { get; private set; }

    /// <summary>The request target as sent (origin-form, absolute-form or "*").</summary>
    public ReadOnlySpan<byte> Target => _target.AsSpan(0, _targetLength);

    /// <summary>Content-Length, or -1 when absent.</summary>
    public long ContentLength { get; private set; } = -1;

    /// <summary>Transfer-Encoding: chunked (the body is chunked, RFC 9112 §6.3 rule 4).</summary>
    public bool IsChunked { get; private set; }

    /// <summary>Connection: close was sent.</summary>
    public bool ConnectionClose { get; private set; }

    /// <summary>Connection: keep-alive was sent (what keeps an HTTP/1.0 connection open).</summary>
    public bool ConnectionKeepAlive { get; private set; }

    /// <summary>Expect: 100-continue (RFC 9110 §10.1.1).</summary>
    public bool ExpectContinue { get; private set; }

    public int FieldCount => _fieldCount;

    /// <summary>True when the request has a body (chunked, or a Content-Length above 0).</summary>
    public bool HasBody => IsChunked || ContentLength > 0;

    public void Reset()
    {
        _targetLength = 0;
        _fieldBytesLength = 0;
        _fieldCount = 0;
        _contentLengthCount = 0;
        _contentLengthInvalid = false;
        _transferEncodingInvalid = false;
        _transferEncodingUnsupported = false;
        _transferEncodingCount = 0;
        _hostCount = 0;
        _expectUnsupported = false;
        ContentLength = -1;
        IsChunked = false;
        ConnectionClose = false;
        ConnectionKeepAlive = false;
        ExpectContinue = false;
    }

    public ReadOnlySpan<byte> FieldName(int index) => Slice(_fields[index].NameStart, _fields[index].NameLength);

    public ReadOnlySpan<byte> FieldValue(int index) => Slice(_fields[index].ValueStart, _fields[index].ValueLength);

    /// <summary>The first field named <paramref name="name"/> (case-insensitive).</summary>
    public bool TryGetField(string name, out ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < _fieldCount; i++)
        {
            if (HttpChars.EqualsIgnoreCase(FieldName(i), name))
            {
                value = FieldValue(i);
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Checks what only the whole head can tell (RFC 9112 §3.2, §6): Host present once for 1.1;
    /// one valid Content-Length; chunked as the only transfer coding; never both Content-Length
    /// and Transfer-Encoding. Rejecting every ambiguous framing, rather than picking one reading,
    /// is what keeps a request from meaning one thing here and another to a proxy in front.
    /// </summary>
    public RequestError Validate()
    {
        if (_hostCount > 1)
        {
            return new(400, "more than one Host header");
        }

        if (_hostCount == 0 && Protocol == HttpProtocol.Http11)
        {
            return new(400, "Host header required in HTTP/1.1");
        }

        if (_contentLengthCount > 1)
        {
            return new(400, "duplicate Content-Length");
        }

        if (_contentLengthInvalid)
        {
            return new(400, "invalid Content-Length");
        }

        if (_transferEncodingCount > 0)
        {
            if (_contentLengthCount > 0)
            {
                return new(400, "both Content-Length and Transfer-Encoding");
            }

            if (Protocol == HttpProtocol.Http10)
            {
                return new(400, "Transfer-Encoding in an HTTP/1.0 request");
            }

            if (_transferEncodingInvalid || !IsChunked)
            {
                // RFC 9112 §6.3: chunked not last means the length cannot be determined: 400.
                return new(400, "chunked is not the final transfer coding");
            }

            if (_transferEncodingUnsupported)
            {
                return new(501, "transfer coding not implemented");
            }
        }

        if (_expectUnsupported)
        {
            return new(417, "only Expect: 100-continue is supported");
        }

        return default;
    }

    internal void SetRequestLine(RequestMethod method, HttpProtocol protocol, ReadOnlySpan<byte> target)
    {
        Method = method;
        Protocol = protocol;
        if (target.Length > _target.Length)
        {
            _target = new byte[Math.Max(target.Length, _target.Length * 2)];
        }

        target.CopyTo(_target);
        _targetLength = target.Length;
    }

    internal void AddField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_fieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }

        int needed = _fieldBytesLength + name.Length + value.Length;
        if (needed > _fieldBytes.Length)
        {
            Array.Resize(ref _fieldBytes, Math.Max(needed, _fieldBytes.Length * 2));
        }

        int nameStart = _fieldBytesLength;
        name.CopyTo(_fieldBytes.AsSpan(nameStart));
        int valueStart = nameStart + name.Length;
        value.CopyTo(_fieldBytes.AsSpan(valueStart));
        _fieldBytesLength = valueStart + value.Length;
        _fields[_fieldCount++] = new FieldRange(nameStart, name.Length, valueStart, value.Length);
        Interpret(name, value);
    }

    private void Interpret(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        switch (name.Length)
        {
            case 4 when HttpChars.EqualsIgnoreCase(name, "Host"u8):
                _hostCount++;
                break;
            case 6 when HttpChars.EqualsIgnoreCase(name, "Expect"u8):
                if (HttpChars.EqualsIgnoreCase(value, "100-continue"u8))
                {
                    ExpectContinue = true;
                }
                else
                {
                    _expectUnsupported = true;
                }

                break;
            case 10 when HttpChars.EqualsIgnoreCase(name, "Connection"u8):
                InterpretConnection(value);
                break;
            case 14 when HttpChars.EqualsIgnoreCase(name, "Content-Length"u8):
                _contentLengthCount++;

                // 1*DIGIT only: no sign, no spaces, no list ("5, 5" is rejected, not merged).
                if (value.IsEmpty || value.Length > 18 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9')
                    || !Utf8Parser.TryParse(value, out long length, out int used) || used != value.Length)
                {
                    _contentLengthInvalid = true;
                }
                else
                {
                    ContentLength = length;
                }

                break;
            case 17 when HttpChars.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                _transferEncodingCount++;
                InterpretTransferEncoding(value);
                break;
        }
    }

    private void InterpretConnection(ReadOnlySpan<byte> value)
    {
        foreach (Range range in value.Split((byte)','))
        {
            ReadOnlySpan<byte> option = HttpChars.TrimOws(value[range]);
            if (HttpChars.EqualsIgnoreCase(option, "close"u8))
            {
                ConnectionClose = true;
            }
            else if (HttpChars.EqualsIgnoreCase(option, "keep-alive"u8))
            {
                ConnectionKeepAlive = true;
            }
        }
    }

    /// <summary>
    /// Transfer-Encoding is a list, possibly over several fields (RFC 9112 §6.1). We implement
    /// chunked only: it must be the last coding and appear once; anything else is not implemented.
    /// </summary>
    private void InterpretTransferEncoding(ReadOnlySpan<byte> value)
    {
        foreach (Range range in value.Split((byte)','))
        {
            ReadOnlySpan<byte> coding = HttpChars.TrimOws(value[range]);
            if (coding.IsEmpty)
            {
                continue;
            }

            if (IsChunked)
            {
                // Something after chunked (or chunked twice): the body's end cannot be found.
                _transferEncodingInvalid = true;
            }

            if (HttpChars.EqualsIgnoreCase(coding, "chunked"u8))
            {
                IsChunked = true;
            }
            else
            {
                _transferEncodingUnsupported = true;
            }
        }
    }

    private ReadOnlySpan<byte> Slice(int start, int length) => _fieldBytes.AsSpan(start, length);

    private readonly record struct FieldRange(int NameStart, int NameLength, int ValueStart, int ValueLength);
}
