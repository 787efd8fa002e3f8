using TinyStack.Wire;

namespace TinyStack.Tests.Interface;

internal sealed record RecordedIcmpError(
    byte Type,
    byte Code,
    uint RestOfHeader,
    Ipv4Address Reporter,
    Ipv4Address QuotedSource,
    Ipv4Address QuotedDestination,
    byte QuotedProtocol,
    byte[] TransportPrefix,
    bool IsLocal);
