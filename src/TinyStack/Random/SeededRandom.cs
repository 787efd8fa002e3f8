// The folder is Random/, but the type lives in the root namespace on purpose: a namespace named
// TinyStack.Random would shadow System.Random for all code inside namespace TinyStack.* (tests
// included), turning every `new Random(seed)` into error CS0118.
namespace TinyStack;

/// <summary>
/// The stack's only source of randomness: xoshiro256** (Blackman and Vigna, 2018) seeded through
/// SplitMix64 from <see cref="StackOptions.Seed"/>. The same seed gives the same IP IDs, ISNs and
/// ports on every run, which is what makes simulations and replays reproducible. It is fast and
/// statistically good, not cryptographic: secrets that must resist prediction (the TCP ISN key,
/// RFC 6528) are drawn from it once and then used as keys of a keyed hash.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SeededRandom(ulong seed)
    {
        // SplitMix64 spreads any seed (even 0) over the 256-bit state, which must not be all zero.
        _s0 = SplitMix64(ref seed);
        _s1 = SplitMix64(ref seed);
        _s2 = SplitMix64(ref seed);
        _s3 = SplitMix64(ref seed);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    public ushort NextUInt16() => (ushort)(NextUInt64() >> 48);

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias (Lemire, 2019).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong range = (ulong)maxExclusive;
        UInt128 product = (UInt128)NextUInt32() * range;
        ulong low = (ulong)product & 0xFFFF_FFFF;
        if (low < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while (low < threshold)
            {
                product = (UInt128)NextUInt32() * range;
                low = (ulong)product & 0xFFFF_FFFF;
            }
        }

        return (int)(ulong)(product >> 32);
    }

    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    public void NextBytes(Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)(NextUInt64() >> 56);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
