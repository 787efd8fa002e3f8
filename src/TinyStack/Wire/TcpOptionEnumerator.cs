namespace TinyStack.Wire;

/// <summary>
/// Walks the TCP option list (RFC 9293 §3.2): EOL and NOP are single bytes, every other option is
/// kind, length (counting both), data. Enumeration stops after EOL or at the end of the span; a length
/// below 2 or running past the header stops it with <see cref="IsMalformed"/> set. Never throws.
/// </summary>
public ref struct TcpOptionEnumerator
{
    private const int KindAndLengthSize = 2;

    private readonly ReadOnlySpan<byte> _options;
    private int _offset;
    private TcpOption _current;

    public TcpOptionEnumerator(ReadOnlySpan<byte> options)
    {
        _options = options;
        _offset = 0;
        _current = default;
        IsMalformed = false;
    }

    /// <summary>True when enumeration stopped at an option with an impossible length.</summary>
    public bool IsMalformed { get; private set; }

    public readonly TcpOption Current => _current;

    public readonly TcpOptionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_offset >= _options.Length || IsMalformed)
        {
            return false;
        }

        byte kind = _options[_offset];
        if (kind == TcpOptionKind.EndOfList)
        {
            // Everything after EOL is padding and is not interpreted.
            _current = new TcpOption(kind, default);
            _offset = _options.Length;
            return true;
        }

        if (kind == TcpOptionKind.NoOperation)
        {
            _current = new TcpOption(kind, default);
            _offset++;
            return true;
        }

        int remaining = _options.Length - _offset;
        if (remaining < KindAndLengthSize || _options[_offset + 1] < KindAndLengthSize || _options[_offset + 1] > remaining)
        {
            IsMalformed = true;
            return false;
        }

        int length = _options[_offset + 1];
        _current = new TcpOption(kind, _options.Slice(_offset + KindAndLengthSize, length - KindAndLengthSize));
        _offset += length;
        return true;
    }
}
