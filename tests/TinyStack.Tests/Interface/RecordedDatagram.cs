using TinyStack.Wire;

namespace TinyStack.Tests.Interface;

internal sealed record RecordedDatagram(
    Ipv4Address Source,
    Ipv4Address Destination,
    byte Protocol,
    byte Ttl,
    bool IsBroadcast,
    bool IsLinkBroadcast,
    byte[] Header,
    byte[] Payload);
