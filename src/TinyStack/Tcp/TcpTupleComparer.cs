using System.Numerics;

namespace TinyStack.Tcp;

/// <summary>
/// Hashes a <see cref="TcpTuple"/> for the connection table. The hash is keyed from the stack's
/// seed, so a remote peer that does not know the key cannot aim many tuples at one bucket, and it
/// costs a few multiplications (no SipHash per lookup).
/// </summary>
internal sealed class TcpTupleComparer : IEqualityComparer<TcpTuple>
{
    private readonly ulong _key0;
    private readonly ulong _key1;

    public TcpTupleComparer(ulong key0, ulong key1)
    {
        // Odd multipliers keep the multiplication a bijection.
        _key0 = key0 | 1;
        _key1 = key1 | 1;
    }

    public bool Equals(TcpTuple x, TcpTuple y) => x == y;

    public int GetHashCode(TcpTuple tuple)
    {
        // Multiply-xorshift mixing of the two 64-bit halves of the tuple.
        ulong h = (tuple.Addresses ^ _key1) * _key0;
        h ^= BitOperations.RotateLeft(h, 29) ^ (tuple.Ports * _key1);
        h *= 0x9E37_79B9_7F4A_7C15UL;
        return (int)(h ^ (h >> 32));
    }
}
