namespace TinyStack.Host.Links;

/// <summary>
/// PCG32 (O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good Algorithms for
/// Random Number Generation", 2014; XSH-RR output): a seeded generator whose sequence depends only
/// on (seed, stream), so a fault pattern can be replayed exactly.
/// </summary>
internal sealed class Pcg32
{
    private const ulong Multiplier = 6364136223846793005UL;
    private const double TwoToMinus32 = 1.0 / 4294967296.0;

    private readonly ulong _increment;
    private ulong _state;

    public Pcg32(ulong seed, ulong stream)
    {
        // The reference seeding routine (pcg32_srandom_r): the increment must be odd.
        _increment = (stream << 1) | 1UL;
        _state = 0;
        NextUInt32();
        _state += seed;
        NextUInt32();
    }

    public uint NextUInt32()
    {
        ulong old = _state;
        _state = unchecked((old * Multiplier) + _increment);
        uint xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        int rotation = (int)(old >> 59);
        return (xorShifted >> rotation) | (xorShifted << (-rotation & 31));
    }

    /// <summary>Uniform in [0, 1) with 32 bits of resolution.</summary>
    public double NextDouble() => NextUInt32() * TwoToMinus32;

    /// <summary>Uniform in [0, bound) from one 32-bit draw (Lemire's multiply-shift, bias below 2^-32 * bound).</summary>
    public static int Scale(uint draw, int bound) => (int)(((ulong)draw * (ulong)bound) >> 32);
}
