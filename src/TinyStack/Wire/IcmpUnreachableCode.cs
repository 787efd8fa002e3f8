namespace TinyStack.Wire;

/// <summary>Destination Unreachable codes (RFC 792; 4 carries a next-hop MTU per RFC 1191).</summary>
public static class IcmpUnreachableCode
{
    public const byte Net = 0;

    public const byte Host = 1;

    public const byte Protocol = 2;

    public const byte Port = 3;

    public const byte FragmentationNeeded = 4;
}
