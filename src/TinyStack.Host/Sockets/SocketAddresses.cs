using System.Net;
using TinyStack.Wire;

namespace TinyStack.Host.Sockets;

/// <summary>Conversions between TinyStack's address type and System.Net's.</summary>
public static class SocketAddresses
{
    public static IPAddress ToIPAddress(this Ipv4Address address)
    {
        Span<byte> bytes = stackalloc byte[Ipv4Address.Length];
        address.WriteTo(bytes);
        return new IPAddress(bytes);
    }

    public static IPEndPoint ToEndPoint(Ipv4Address address, ushort port) => new(address.ToIPAddress(), port);
}
