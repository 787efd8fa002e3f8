using System.Globalization;

namespace TinyStack.Tcp;

/// <summary>
/// A 32-bit TCP sequence number. Arithmetic wraps modulo 2^32 and comparisons are modular
/// (RFC 9293 §3.4: "x &lt; y" means y is ahead of x by less than 2^31, in the manner of RFC 1982),
/// so raw <see cref="uint"/> comparisons, which break at the wrap, never appear in TCP code.
/// Two numbers exactly 2^31 apart are each "less" than the other; TCP windows never get that large.
/// </summary>
public readonly record struct SeqNumber(uint Value)
{
    public static bool operator <(SeqNumber left, SeqNumber right) => Distance(left, right) < 0;

    public static bool operator <=(SeqNumber left, SeqNumber right) => Distance(left, right) <= 0;

    public static bool operator >(SeqNumber left, SeqNumber right) => Distance(left, right) > 0;

    public static bool operator >=(SeqNumber left, SeqNumber right) => Distance(left, right) >= 0;

    public static SeqNumber operator +(SeqNumber number, int count) => new(unchecked(number.Value + (uint)count));

    public static SeqNumber operator -(SeqNumber number, int count) => new(unchecked(number.Value - (uint)count));

    /// <summary>How far <paramref name="left"/> is ahead of <paramref name="right"/> (negative when behind).</summary>
    public static int operator -(SeqNumber left, SeqNumber right) => Distance(left, right);

    /// <summary>The later of two numbers in modular order.</summary>
    public static SeqNumber Max(SeqNumber a, SeqNumber b) => a < b ? b : a;

    /// <summary>The earlier of two numbers in modular order.</summary>
    public static SeqNumber Min(SeqNumber a, SeqNumber b) => a < b ? a : b;

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    private static int Distance(SeqNumber left, SeqNumber right) => unchecked((int)(left.Value - right.Value));
}
