using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// The 4-tuple that names a connection (RFC 9293 §3.3.1: "a pair of sockets"), seen from our side.
/// A plain value: it is the key of the connection table, compared without boxing.
/// </summary>
public readonly record struct TcpTuple(Ipv4Address LocalAddress, ushort LocalPort, Ipv4Address RemoteAddress, ushort RemotePort)
{
    /// <summary>Packs the ports in one word (local high), the form the keyed hashes take.</summary>
    internal ulong Ports => ((ulong)LocalPort << 16) | RemotePort;

    /// <summary>Packs both addresses in one word (local high).</summary>
    internal ulong Addresses => ((ulong)LocalAddress.Value << 32) | RemoteAddress.Value;

    public override string ToString() => $"{LocalAddress}:{LocalPort} <-> {RemoteAddress}:{RemotePort}";
}
