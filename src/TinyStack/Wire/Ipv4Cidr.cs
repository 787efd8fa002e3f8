using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TinyStack.Wire;

/// <summary>An interface address with its prefix, as written <c>10.0.0.2/24</c>.</summary>
public readonly record struct Ipv4Cidr(Ipv4Address Address, int PrefixLength)
{
    /// <summary>The subnet mask, e.g. 255.255.255.0 for /24.</summary>
    public Ipv4Address Mask => new(PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength));

    /// <summary>The network address (host bits zero).</summary>
    public Ipv4Address Network => new(Address.Value & Mask.Value);

    /// <summary>The directed broadcast address (host bits one); none for /31 and /32 (RFC 3021).</summary>
    public Ipv4Address DirectedBroadcast => PrefixLength >= 31 ? Ipv4Address.Broadcast : new(Address.Value | ~Mask.Value);

    public bool Contains(Ipv4Address address) => ((address.Value ^ Address.Value) & Mask.Value) == 0;

    public static Ipv4Cidr Parse(string text) =>
        TryParse(text, out Ipv4Cidr cidr) ? cidr : throw new FormatException($"'{text}' is not an IPv4 address with prefix; expected e.g. 10.0.0.2/24.");

    public static bool TryParse([NotNullWhen(true)] string? text, out Ipv4Cidr cidr)
    {
        cidr = default;
        if (text is null)
        {
            return false;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        ReadOnlySpan<char> prefixText = text.AsSpan(slash + 1);
        if (prefixText.Length is 0 or > 2 || prefixText.ContainsAnyExceptInRange('0', '9')
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > 32)
        {
            return false;
        }

        if (!Ipv4Address.TryParse(text.AsSpan(0, slash), out Ipv4Address address))
        {
            return false;
        }

        cidr = new Ipv4Cidr(address, prefix);
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
