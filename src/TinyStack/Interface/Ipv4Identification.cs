using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>
/// Chooses the Identification field of the datagrams we send. RFC 791 needs it unique per
/// (source, destination, protocol) for as long as fragments may live; a single global counter
/// would do that but lets anyone count our traffic (the "idle scan"; RFC 7739 §5). Like Linux's
/// ip_idents we keep many counters, pick one by a keyed hash of destination and protocol, and
/// start each at a seeded random value.
/// </summary>
internal sealed class Ipv4Identification
{
    private const int BucketBits = 8;

    private readonly ushort[] _counters = new ushort[1 << BucketBits];
    private readonly uint _key;

    public Ipv4Identification(SeededRandom random)
    {
        _key = random.NextUInt32() | 1;
        for (int i = 0; i < _counters.Length; i++)
        {
            _counters[i] = random.NextUInt16();
        }
    }

    public ushort Next(Ipv4Address destination, byte protocol)
    {
        // Multiplicative hashing (Knuth) of the destination mixed with the key and protocol.
        uint hash = ((destination.Value ^ _key) + protocol) * 0x9E37_79B1u;
        int bucket = (int)(hash >> (32 - BucketBits));
        return _counters[bucket]++;
    }
}
