using System.Text;

namespace TinyStack.Http.Parsing;

/// <summary>The parts of a request target (RFC 9112 §3.2) and the decoding of its path.</summary>
public static class HttpTarget
{
    /// <summary>
    /// For an absolute-form target ("http://host:port/path?q"), the part from the path on ("/path?q",
    /// or "/" when the path is empty). False when the target is not absolute-form.
    /// </summary>
    public static bool TryGetAbsoluteFormPath(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> pathAndQuery)
    {
        pathAndQuery = default;
        int schemeEnd;
        if (target.Length >= 7 && System.Text.Ascii.EqualsIgnoreCase(target[..7], "http://"u8))
        {
            schemeEnd = 7;
        }
        else if (target.Length >= 8 && System.Text.Ascii.EqualsIgnoreCase(target[..8], "https://"u8))
        {
            schemeEnd = 8;
        }
        else
        {
            return false;
        }

        ReadOnlySpan<byte> afterScheme = target[schemeEnd..];
        int slash = afterScheme.IndexOfAny((byte)'/', (byte)'?');
        if (slash == 0 || afterScheme.IsEmpty)
        {
            return false;
        }

        pathAndQuery = slash < 0 ? "/"u8 : afterScheme[slash..];
        return true;
    }

    /// <summary>Splits origin-form "path?query" at the first '?'.</summary>
    public static void Split(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> path, out ReadOnlySpan<byte> query)
    {
        int question = target.IndexOf((byte)'?');
        if (question < 0)
        {
            path = target;
            query = default;
        }
        else
        {
            path = target[..question];
            query = target[(question + 1)..];
        }
    }

    /// <summary>
    /// Percent-decodes a path into a string (UTF-8). "%2F" stays encoded so that an encoded slash
    /// cannot change how the path splits into segments; an invalid escape stays as it was.
    /// </summary>
    public static string DecodePath(ReadOnlySpan<byte> path)
    {
        if (!path.Contains((byte)'%'))
        {
            return Encoding.UTF8.GetString(path);
        }

        byte[] decoded = new byte[path.Length];
        int length = 0;
        for (int i = 0; i < path.Length; i++)
        {
            if (path[i] == (byte)'%' && i + 2 < path.Length && TryHex(path[i + 1], path[i + 2], out byte value) && value != (byte)'/')
            {
                decoded[length++] = value;
                i += 2;
            }
            else
            {
                decoded[length++] = path[i];
            }
        }

        return Encoding.UTF8.GetString(decoded, 0, length);
    }

    /// <summary>Decodes one query component: '+' is a space, %XX a byte (application/x-www-form-urlencoded).</summary>
    public static string DecodeQueryComponent(ReadOnlySpan<byte> text)
    {
        byte[] decoded = new byte[text.Length];
        int length = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == (byte)'+')
            {
                decoded[length++] = (byte)' ';
            }
            else if (text[i] == (byte)'%' && i + 2 < text.Length && TryHex(text[i + 1], text[i + 2], out byte value))
            {
                decoded[length++] = value;
                i += 2;
            }
            else
            {
                decoded[length++] = text[i];
            }
        }

        return Encoding.UTF8.GetString(decoded, 0, length);
    }

    private static bool TryHex(byte high, byte low, out byte value)
    {
        int h = HexValue(high);
        int l = HexValue(low);
        value = (byte)((h << 4) | l);
        return h >= 0 && l >= 0;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
