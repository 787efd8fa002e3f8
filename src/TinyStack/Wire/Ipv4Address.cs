using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TinyStack.Wire;

/// <summary>An IPv4 address held as a host-order <see cref="uint"/> (10.0.0.1 is 0x0A000001).</summary>
public readonly record struct Ipv4Address(uint Value) : IComparable<Ipv4Address>, ISpanFormattable
{
    public const int Length = 4;

    public static readonly Ipv4Address Any = new(0);

    public static readonly Ipv4Address Broadcast = new(0xFFFF_FFFF);

    public Ipv4Address(byte a, byte b, byte c, byte d)
        : this(((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d)
    {
    }

    /// <summary>Reads four bytes in network order. The caller guarantees the length.</summary>
    public Ipv4Address(ReadOnlySpan<byte> bytes)
        : this(BinaryPrimitives.ReadUInt32BigEndian(bytes))
    {
    }

    public bool IsUnspecified => Value == 0;

    public bool IsLimitedBroadcast => Value == 0xFFFF_FFFF;

    /// <summary>224.0.0.0/4 (RFC 5771).</summary>
    public bool IsMulticast => (Value >> 28) == 0xE;

    /// <summary>127.0.0.0/8 (RFC 1122 §3.2.1.3 (g)).</summary>
    public bool IsLoopback => (Value >> 24) == 127;

    /// <summary>240.0.0.0/4, reserved (class E); 255.255.255.255 is within it.</summary>
    public bool IsReserved => (Value >> 28) == 0xF;

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public int CompareTo(Ipv4Address other) => Value.CompareTo(other.Value);

    public static Ipv4Address Parse(string text) =>
        TryParse(text, out Ipv4Address address) ? address : throw new FormatException($"'{text}' is not an IPv4 address; expected dotted quad like 10.0.0.2.");

    /// <summary>Parses strict dotted-quad notation: four decimal octets 0..255, no leading '+' or spaces.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Ipv4Address address) => TryParse(text.AsSpan(), out address) && text is not null;

    public static bool TryParse(ReadOnlySpan<char> text, out Ipv4Address address)
    {
        address = default;
        uint value = 0;
        int octets = 0;
        int i = 0;
        while (octets < 4)
        {
            int start = i;
            uint octet = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 3)
            {
                octet = (octet * 10) + (uint)(text[i] - '0');
                i++;
            }

            if (i == start || octet > 255)
            {
                return false;
            }

            value = (value << 8) | octet;
            octets++;
            if (octets < 4)
            {
                if (i >= text.Length || text[i] != '.')
                {
                    return false;
                }

                i++;
            }
        }

        if (i != text.Length)
        {
            return false;
        }

        address = new Ipv4Address(value);
        return true;
    }

    public override string ToString() => ToString(null, null);

    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        Span<char> buffer = stackalloc char[15];
        TryFormat(buffer, out int written, default, null);
        return new string(buffer[..written]);
    }

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite($"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}", out charsWritten);
}
