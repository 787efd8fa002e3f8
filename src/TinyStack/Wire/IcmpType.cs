namespace TinyStack.Wire;

/// <summary>ICMP message types (RFC 792) that the stack sends or understands.</summary>
public static class IcmpType
{
    public const byte EchoReply = 0;

    public const byte DestinationUnreachable = 3;

    /// <summary>Deprecated by RFC 6633; recognised only so its quoted datagram can be read.</summary>
    public const byte SourceQuench = 4;

    public const byte Redirect = 5;

    public const byte EchoRequest = 8;

    public const byte TimeExceeded = 11;

    public const byte ParameterProblem = 12;

    /// <summary>Error messages quote the offending datagram's header and its first 8 payload bytes (RFC 792, RFC 1122 §3.2.2).</summary>
    public static bool IsError(byte type) =>
        type is DestinationUnreachable or SourceQuench or Redirect or TimeExceeded or ParameterProblem;
}
