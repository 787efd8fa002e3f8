using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>One route: a prefix, and the gateway that reaches it (<see cref="Ipv4Address.Any"/> when on-link).</summary>
internal readonly record struct RouteEntry(Ipv4Cidr Prefix, Ipv4Address Gateway);
