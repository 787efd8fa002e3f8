namespace TinyStack.Wire;

/// <summary>TCP option kinds (IANA "TCP Option Kind Numbers") that the stack understands.</summary>
public static class TcpOptionKind
{
    /// <summary>End of option list (RFC 9293 §3.2); the rest of the header is padding.</summary>
    public const byte EndOfList = 0;

    /// <summary>One byte of padding, used to align options (RFC 9293 §3.2).</summary>
    public const byte NoOperation = 1;

    /// <summary>Kind 2, length 4 (RFC 9293 §3.7.1); only meaningful on SYN segments.</summary>
    public const byte MaximumSegmentSize = 2;

    /// <summary>Kind 3, length 3 (RFC 7323 §2.2).</summary>
    public const byte WindowScale = 3;

    /// <summary>Kind 4, length 2 (RFC 2018 §2).</summary>
    public const byte SackPermitted = 4;

    /// <summary>Kind 5, length 2 + 8n (RFC 2018 §3).</summary>
    public const byte Sack = 5;

    /// <summary>Kind 8, length 10 (RFC 7323 §3.2).</summary>
    public const byte Timestamps = 8;
}
