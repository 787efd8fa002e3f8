using TinyStack.Time;

namespace TinyStack.Tcp;

/// <summary>
/// The keyed functions that make TCP's numbers unpredictable to off-path attackers, all keyed
/// from the stack's seed: initial sequence numbers (RFC 6528), per-connection timestamp offsets
/// (as Linux since 4.10, so TSval does not reveal uptime), SYN cookie MACs (RFC 4987 §3.6) and
/// ephemeral port offsets (RFC 6056).
/// </summary>
internal sealed class TcpSecrets
{
    private readonly SipHash _isn;
    private readonly SipHash _timestamp;
    private readonly SipHash _cookie;
    private readonly SipHash _portOffset;
    private readonly SipHash _portIndex;

    public TcpSecrets(ulong seed)
    {
        var random = new SplitMix64(seed);
        _isn = new SipHash(random.Next(), random.Next());
        _timestamp = new SipHash(random.Next(), random.Next());
        _cookie = new SipHash(random.Next(), random.Next());
        _portOffset = new SipHash(random.Next(), random.Next());
        _portIndex = new SipHash(random.Next(), random.Next());
        TableKey0 = random.Next();
        TableKey1 = random.Next();
        PortTableSeed = random.Next();
    }

    /// <summary>Keys of the connection table's hash (<see cref="TcpTupleComparer"/>).</summary>
    public ulong TableKey0 { get; }

    public ulong TableKey1 { get; }

    /// <summary>Seeds RFC 6056 Algorithm 4's perturbation table.</summary>
    public ulong PortTableSeed { get; }

    /// <summary>
    /// RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M is a
    /// timer ticking every 4 microseconds (RFC 9293 §3.4.1) and F a keyed PRF (SipHash-2-4).
    /// </summary>
    public uint InitialSequenceNumber(TcpTuple tuple, Instant now)
    {
        uint m = (uint)(now.Microseconds / 4);
        return m + (uint)_isn.Hash(tuple.Addresses, tuple.Ports);
    }

    /// <summary>The per-connection offset added to our timestamp clock (RFC 7323 §7.1 allows a random offset).</summary>
    public uint TimestampOffset(TcpTuple tuple) => (uint)_timestamp.Hash(tuple.Addresses, tuple.Ports);

    /// <summary>The MAC of a SYN cookie: binds the tuple, the coarse time counter and the peer's ISN.</summary>
    public uint CookieHash(TcpTuple tuple, uint counter, uint peerIsn) =>
        (uint)_cookie.Hash(tuple.Addresses, tuple.Ports, ((ulong)counter << 32) | peerIsn);

    /// <summary>RFC 6056 Algorithm 4 "F(local_IP, remote_IP, remote_port, secret_key1)".</summary>
    public uint PortOffset(ulong addresses, ushort remotePort) => (uint)_portOffset.Hash(addresses, remotePort);

    /// <summary>RFC 6056 Algorithm 4 "G(local_IP, remote_IP, remote_port, secret_key2)".</summary>
    public uint PortIndex(ulong addresses, ushort remotePort) => (uint)_portIndex.Hash(addresses, remotePort);
}
