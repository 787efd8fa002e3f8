using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TinyStack.Wire;

/// <summary>A 48-bit IEEE 802 MAC address, stored in the low 48 bits of a <see cref="ulong"/>.</summary>
public readonly record struct MacAddress : ISpanFormattable
{
    public const int Length = 6;

    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value & 0xFFFF_FFFF_FFFFUL;

    public static readonly MacAddress Broadcast = new(0xFFFF_FFFF_FFFFUL);

    public static readonly MacAddress Zero = default;

    /// <summary>Reads six bytes in network order. The caller guarantees the length.</summary>
    public MacAddress(ReadOnlySpan<byte> bytes)
        : this(((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]))
    {
    }

    public static MacAddress FromUInt64(ulong value) => new(value);

    public ulong ToUInt64() => _value;

    public bool IsBroadcast => _value == 0xFFFF_FFFF_FFFFUL;

    /// <summary>The I/G bit (least significant bit of the first octet) marks group addresses.</summary>
    public bool IsMulticast => ((_value >> 40) & 1) != 0;

    /// <summary>The U/L bit marks locally administered addresses, which is what a TAP stack should use.</summary>
    public bool IsLocallyAdministered => ((_value >> 40) & 2) != 0;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(_value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)_value);
    }

    public static MacAddress Parse(string text) =>
        TryParse(text, out MacAddress mac) ? mac : throw new FormatException($"'{text}' is not a MAC address; expected six hex pairs like 02:00:00:00:00:02.");

    /// <summary>Accepts <c>aa:bb:cc:dd:ee:ff</c> or <c>aa-bb-cc-dd-ee-ff</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac)
    {
        mac = default;
        if (text is null || text.Length != 17)
        {
            return false;
        }

        ulong value = 0;
        for (int i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] is not (':' or '-'))
            {
                return false;
            }

            if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                return false;
            }

            value = (value << 8) | b;
        }

        mac = new MacAddress(value);
        return true;
    }

    public override string ToString() => ToString(null, null);

    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        Span<char> buffer = stackalloc char[17];
        TryFormat(buffer, out int written, default, null);
        return new string(buffer[..written]);
    }

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        charsWritten = 0;
        if (destination.Length < 17)
        {
            return false;
        }

        const string Hex = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(_value >> (40 - (8 * i)));
            if (i > 0)
            {
                destination[charsWritten++] = ':';
            }

            destination[charsWritten++] = Hex[b >> 4];
            destination[charsWritten++] = Hex[b & 0xF];
        }

        return true;
    }
}
