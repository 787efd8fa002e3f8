using System.Buffers;

namespace TinyStack.Http.Parsing;

/// <summary>Byte classes of the HTTP grammar (RFC 9110 §5.6.2, RFC 9112 §5).</summary>
internal static class HttpChars
{
    public const byte Space = (byte)' ';
    public const byte Tab = (byte)'\t';
    public const byte Cr = (byte)'\r';
    public const byte Lf = (byte)'\n';
    public const byte Colon = (byte)':';

    /// <summary>tchar: what a token (a method, a field name) may contain.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// Bytes a field value must not contain: control characters other than HTAB, and DEL
    /// (field-vchar is VCHAR or obs-text; RFC 9110 §5.5). CR, LF and NUL are among them, which is
    /// what makes a value unable to smuggle a line break.
    /// </summary>
    public static readonly SearchValues<byte> InvalidInValue = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"u8);

    /// <summary>Bytes a request target must not contain: controls, space and DEL (RFC 9112 §3.2; RFC 3986 has no raw whitespace).</summary>
    public static readonly SearchValues<byte> InvalidInTarget = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u0020\u007F"u8);

    public static bool IsToken(ReadOnlySpan<byte> text) => !text.IsEmpty && !text.ContainsAnyExcept(Token);

    /// <summary>Removes optional whitespace (SP and HTAB) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> text)
    {
        int start = 0;
        while (start < text.Length && (text[start] == Space || text[start] == Tab))
        {
            start++;
        }

        int end = text.Length;
        while (end > start && (text[end - 1] == Space || text[end - 1] == Tab))
        {
            end--;
        }

        return text[start..end];
    }

    /// <summary>ASCII case-insensitive comparison of a received token with a known lowercase or mixed-case name.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> received, ReadOnlySpan<byte> known) =>
        System.Text.Ascii.EqualsIgnoreCase(received, known);

    /// <summary>Same, against a string name (the application's header lookups).</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> received, string known) =>
        System.Text.Ascii.EqualsIgnoreCase(received, known);

    /// <summary>
    /// Splits one field line (without its CRLF) into name and value. False when it is not a
    /// field line: obs-fold continuation (RFC 9112 §5.2), no colon, a name that is not a token
    /// (including whitespace before the colon, RFC 9112 §5.1), or a value with control characters.
    /// </summary>
    public static bool TryParseFieldLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out string reason)
    {
        name = default;
        value = default;
        if (line[0] is Space or Tab)
        {
            reason = "obsolete line folding in a header";
            return false;
        }

        int colon = line.IndexOf(Colon);
        if (colon <= 0)
        {
            reason = "header line without a name and colon";
            return false;
        }

        name = line[..colon];
        if (!IsToken(name))
        {
            reason = "invalid header name (or whitespace before the colon)";
            return false;
        }

        value = TrimOws(line[(colon + 1)..]);
        if (value.ContainsAny(InvalidInValue))
        {
            reason = "control character in a header value";
            return false;
        }

        reason = string.Empty;
        return true;
    }
}
