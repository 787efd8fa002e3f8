using System.Buffers.Binary;
using System.Numerics;

namespace TinyStack.Tcp;

/// <summary>
/// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed pseudo-random function, the "F" of
/// RFC 6528 (ISN), RFC 6056 (ephemeral ports) and RFC 4987 (SYN cookies). It is cheap on short
/// inputs and an attacker who does not know the key cannot predict its output.
/// </summary>
internal readonly struct SipHash
{
    private readonly ulong _k0;
    private readonly ulong _k1;

    public SipHash(ulong k0, ulong k1)
    {
        _k0 = k0;
        _k1 = k1;
    }

    /// <summary>The 64-bit SipHash-2-4 of <paramref name="data"/>.</summary>
    public ulong Hash(ReadOnlySpan<byte> data)
    {
        ulong v0 = 0x736F_6D65_7073_6575UL ^ _k0;
        ulong v1 = 0x646F_7261_6E64_6F6DUL ^ _k1;
        ulong v2 = 0x6C79_6765_6E65_7261UL ^ _k0;
        ulong v3 = 0x7465_6462_7974_6573UL ^ _k1;

        int end = data.Length - (data.Length % 8);
        for (int i = 0; i < end; i += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        // The last block holds the remaining bytes and the length in its top byte.
        ulong last = (ulong)data.Length << 56;
        for (int i = end; i < data.Length; i++)
        {
            last |= (ulong)data[i] << (8 * (i - end));
        }

        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xFF;
        for (int i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }

        return v0 ^ v1 ^ v2 ^ v3;
    }

    /// <summary>Hash of up to three 64-bit words, the shape every caller here needs.</summary>
    public ulong Hash(ulong a, ulong b = 0, ulong c = 0)
    {
        Span<byte> data = stackalloc byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(data, a);
        BinaryPrimitives.WriteUInt64LittleEndian(data[8..], b);
        BinaryPrimitives.WriteUInt64LittleEndian(data[16..], c);
        return Hash(data);
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
