namespace TinyStack.Tcp;

/// <summary>
/// A tiny seeded generator (Steele, Lea, Flood 2014) used to derive secret keys from the stack's
/// seed. The core never draws unseeded randomness, so a run is reproducible from its seed.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
