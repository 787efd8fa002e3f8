namespace TinyStack.Wire;

/// <summary>IPv4 Protocol field values (IANA "Assigned Internet Protocol Numbers").</summary>
public static class IpProtocol
{
    public const byte Icmp = 1;

    public const byte Tcp = 6;

    public const byte Udp = 17;
}
