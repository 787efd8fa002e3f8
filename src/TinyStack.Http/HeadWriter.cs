using System.Buffers.Text;

namespace TinyStack.Http;

/// <summary>Writes the ASCII text of a response head into a span, without allocating.</summary>
internal ref struct HeadWriter
{
    private readonly Span<byte> _destination;

    public HeadWriter(Span<byte> destination)
    {
        _destination = destination;
        Length = 0;
        Overflowed = false;
    }

    public int Length { get; private set; }

    /// <summary>True when the destination was too small (what was written is incomplete).</summary>
    public bool Overflowed { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.TryCopyTo(_destination[Length..]))
        {
            Overflowed = true;
            return;
        }

        Length += bytes.Length;
    }

    /// <summary>Appends ASCII text (header names and values are checked to be ASCII when set).</summary>
    public void Append(string text)
    {
        Span<byte> free = _destination[Length..];
        if (text.Length > free.Length)
        {
            Overflowed = true;
            return;
        }

        for (int i = 0; i < text.Length; i++)
        {
            free[i] = (byte)text[i];
        }

        Length += text.Length;
    }

    public void Append(long value)
    {
        if (!Utf8Formatter.TryFormat(value, _destination[Length..], out int written))
        {
            Overflowed = true;
            return;
        }

        Length += written;
    }

    public void AppendHex(long value)
    {
        if (!Utf8Formatter.TryFormat(value, _destination[Length..], out int written, new System.Buffers.StandardFormat('X')))
        {
            Overflowed = true;
            return;
        }

        Length += written;
    }

    public void AppendField(string name, string value)
    {
        Append(name);
        Append(": "u8);
        Append(value);
        Append("\r\n"u8);
    }
}
