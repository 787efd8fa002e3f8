using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// Ephemeral port selection, RFC 6056 §3.3.4 Algorithm 4 ("Double-Hash Port Selection", the
/// scheme Linux uses): each destination starts at a keyed offset, and a small table of
/// counters, indexed by a second keyed hash, makes consecutive connections to the same
/// destination take consecutive ports while other destinations' sequences stay unpredictable.
/// </summary>
internal sealed class EphemeralPorts
{
    // RFC 6056 suggests a table of some hundred entries; Linux uses 256 ("table_perturb").
    private const int TableLength = 256;

    private readonly TcpSecrets _secrets;
    private readonly uint[] _table = new uint[TableLength];
    private readonly int _first;
    private readonly int _count;

    public EphemeralPorts(TcpSecrets secrets, ushort first, ushort last)
    {
        _secrets = secrets;
        _first = first;
        _count = last - first + 1;

        // "Initialization at system boot time": table[i] = random() % 65536, from the seed.
        var random = new SplitMix64(secrets.PortTableSeed);
        for (int i = 0; i < TableLength; i++)
        {
            _table[i] = (uint)random.Next() & 0xFFFF;
        }
    }

    /// <summary>
    /// Picks a port for a connection from <paramref name="local"/> to <paramref name="remote"/>:<paramref name="remotePort"/>,
    /// or returns 0 if every port in the range is taken. <paramref name="isFree"/> decides whether
    /// a candidate is usable (not listening, tuple not in use).
    /// </summary>
    public ushort Allocate(Ipv4Address local, Ipv4Address remote, ushort remotePort, Func<ushort, bool> isFree)
    {
        ulong addresses = ((ulong)local.Value << 32) | remote.Value;
        uint offset = _secrets.PortOffset(addresses, remotePort);
        int index = (int)(_secrets.PortIndex(addresses, remotePort) % TableLength);
        for (int tries = _count; tries > 0; tries--)
        {
            // port = min_ephemeral + (offset + table[index]) % num_ephemeral; table[index]++.
            ushort port = (ushort)(_first + (int)((offset + _table[index]) % (uint)_count));
            _table[index]++;
            if (isFree(port))
            {
                return port;
            }
        }

        return 0;
    }
}
