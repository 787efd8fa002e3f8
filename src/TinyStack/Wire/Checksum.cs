using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyStack.Wire;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
/// the data taken as big-endian 16-bit words, an odd trailing byte padded with zero.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Add"/> returns the plain (two's complement) sum of the big-endian words added to the
/// running sum, with nothing folded yet. Deferring the end-around carry is allowed because
/// 2^16 = 1 (mod 2^16 - 1): carries out of bit 15 can be added back at the very end by
/// <see cref="Fold"/> (RFC 1071 §2(D), "deferred carries"). A 64-bit running sum cannot overflow in
/// practice: it would take more than 2^48 bytes.
/// </para>
/// <para>
/// The sum is vectorised (Vector256 or Vector128, chosen by the JIT; scalar otherwise): each
/// vector lane keeps its own partial sum, combined at the end (RFC 1071 §2(A) and (C)). RFC 1071
/// §2(B) notes that the sum is byte-order independent: a little-endian machine may add its native
/// words and swap the bytes of the folded result. We do not use that trick. Instead we swap the
/// two bytes of each word inside the register (one byte shuffle per vector). That costs almost
/// nothing, and it means <see cref="Add"/> returns exactly the big-endian word sum on every path
/// and every machine. Because of that:
/// </para>
/// <list type="bullet">
/// <item>the vector, Vector128 and scalar paths agree bit for bit (the tests check this);</item>
/// <item>the result can be mixed freely with other big-endian sums (<see cref="PseudoHeaderSum"/>);</item>
/// <item>chaining is exact: <c>Add(b, Add(a)) == Add(a ++ b)</c> when <c>a</c> has even length.</item>
/// </list>
/// </remarks>
public static class Checksum
{
    // Each vector step adds the two 16-bit words of a 32-bit lane into that lane, so a lane grows by
    // at most 2 * 0xFFFF per vector. After this many vectors the 32-bit lanes are emptied into the
    // 64-bit sum, so no input length can overflow them (32767 vectors: just under 1 MiB of
    // Vector256). One vector of headroom is kept for the partial last vector.
    private const int MaxVectorsBeforeFlush = (int)(uint.MaxValue / (2 * ushort.MaxValue)) - 1;

    /// <summary>
    /// Adds the big-endian 16-bit words of <paramref name="data"/> (an odd last byte padded with a
    /// zero byte) to the running sum <paramref name="sum"/>. Chaining
    /// <c>Add(b, Add(a))</c> equals <c>Add(a ++ b)</c> exactly when <c>a</c> has even length; only
    /// the last chunk may have odd length. Any alignment is fine.
    /// </summary>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum = 0)
    {
        if (Vector256.IsHardwareAccelerated && data.Length >= Vector256<byte>.Count)
        {
            return AddVector256(data, sum);
        }

        if (Vector128.IsHardwareAccelerated && data.Length >= Vector128<byte>.Count)
        {
            return AddVector128(data, sum);
        }

        return AddScalar(data, sum);
    }

    /// <summary>Folds a running sum to 16 bits with end-around carry.</summary>
    public static ushort Fold(ulong sum)
    {
        // Each round adds the carries back in at bit 0 (RFC 1071 §2(D)). Four rounds at most: a
        // 64-bit value shrinks to 49 bits, then 34, then 18, then 16 or 17 bits, then 16.
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)sum;
    }

    /// <summary>The value to store in a checksum field (zero in the data while computing).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~Fold(Add(data));

    /// <summary>Sum of the IPv4 pseudo-header used by UDP and TCP (RFC 768, RFC 9293 §3.1).</summary>
    public static ulong PseudoHeaderSum(Ipv4Address source, Ipv4Address destination, byte protocol, int length) =>
        (source.Value >> 16) + (source.Value & 0xFFFF) + (destination.Value >> 16) + (destination.Value & 0xFFFF) + protocol + (uint)length;

    /// <summary>UDP/TCP checksum of <paramref name="segment"/> (header and payload) with the pseudo-header.</summary>
    public static ushort ComputeWithPseudoHeader(Ipv4Address source, Ipv4Address destination, byte protocol, ReadOnlySpan<byte> segment) =>
        (ushort)~Fold(Add(segment, PseudoHeaderSum(source, destination, protocol, segment.Length)));

    /// <summary>
    /// Incremental update when one 16-bit word changes from <paramref name="oldValue"/> to
    /// <paramref name="newValue"/>: HC' = ~(~HC + ~m + m') (RFC 1624 eqn. 3).
    /// </summary>
    /// <remarks>
    /// Eqn. 3 rather than RFC 1141's HC' = HC + m + ~m' (eqn. 2): eqn. 2 can answer 0xFFFF (-0)
    /// where a full recomputation gives 0x0000 (+0) (RFC 1624 §3). The sum is taken in 64 bits
    /// and folded, so the carries of all three terms are added back (RFC 1624 errata 5865);
    /// with that, an unchanged word also leaves the checksum unchanged. The only input on which
    /// the result still differs from a recomputation is one whose new data is all zero: its
    /// recomputed checksum is 0xFFFF, never produced here. That cannot happen to an IPv4 header
    /// (its version field is 4) nor to a UDP or TCP checksum (the pseudo-header holds the protocol).
    /// </remarks>
    public static ushort Update(ushort checksum, ushort oldValue, ushort newValue) =>
        (ushort)~Fold((ulong)(ushort)~checksum + (ushort)~oldValue + newValue);

    /// <summary>The portable path, and the path for inputs shorter than one vector.</summary>
    internal static ulong AddScalar(ReadOnlySpan<byte> data, ulong sum)
    {
        // Eight bytes (four words) per step: one load, then split into the words.
        int i = 0;
        for (; i <= data.Length - sizeof(ulong); i += sizeof(ulong))
        {
            ulong quad = BinaryPrimitives.ReadUInt64BigEndian(data[i..]);
            sum += (quad >> 48) + ((quad >> 32) & 0xFFFF) + ((quad >> 16) & 0xFFFF) + (quad & 0xFFFF);
        }

        for (; i <= data.Length - sizeof(ushort); i += sizeof(ushort))
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        // An odd last byte is the high byte of a word whose low byte is zero (RFC 9293 §3.1).
        if (i < data.Length)
        {
            sum += (ulong)data[i] << 8;
        }

        return sum;
    }

    /// <summary>32 bytes per step; needs Vector256 hardware (the caller checks).</summary>
    internal static ulong AddVector256(ReadOnlySpan<byte> data, ulong sum)
    {
        if (data.Length < Vector256<byte>.Count)
        {
            return AddScalar(data, sum);
        }

        // Whole vectors cover the even part of the data; an odd last byte is added at the end.
        int evenLength = data.Length & ~1;
        int partialBytes = evenLength % Vector256<byte>.Count;

        // The even bytes after the last whole vector (0 to 30): rather than a slower loop, load the
        // 32 bytes that end at evenLength and clear the ones the whole vectors already counted.
        // Both the whole vectors and this load start at even offsets, so the words line up.
        Vector256<uint> pending = Vector256<uint>.Zero;
        if (partialBytes != 0)
        {
            Vector256<byte> last = Vector256.Create(data.Slice(evenLength - Vector256<byte>.Count, Vector256<byte>.Count));
            Vector256<byte> keep = Vector256.GreaterThan(Vector256<sbyte>.Indices, Vector256.Create((sbyte)(Vector256<byte>.Count - 1 - partialBytes))).AsByte();
            pending = PairSums(last & keep);
        }

        // Reinterpret the bytes as unaligned 32-byte vectors; the span keeps every read checked.
        ReadOnlySpan<Vector256<byte>> vectors = MemoryMarshal.Cast<byte, Vector256<byte>>(data[..evenLength]);
        int i = 0;
        do
        {
            int end = Math.Min(vectors.Length, i + MaxVectorsBeforeFlush);

            // Four independent accumulators, so that consecutive adds do not wait for each other.
            // Together their lanes receive at most MaxVectorsBeforeFlush + 1 vectors (counting the
            // partial one) of 2 * 0xFFFF each, less than 2^32, so even their total cannot overflow.
            Vector256<uint> acc0 = pending;
            Vector256<uint> acc1 = Vector256<uint>.Zero;
            Vector256<uint> acc2 = Vector256<uint>.Zero;
            Vector256<uint> acc3 = Vector256<uint>.Zero;
            pending = Vector256<uint>.Zero;
            for (; i <= end - 4; i += 4)
            {
                ReadOnlySpan<Vector256<byte>> four = vectors.Slice(i, 4);
                acc0 += PairSums(four[0]);
                acc1 += PairSums(four[1]);
                acc2 += PairSums(four[2]);
                acc3 += PairSums(four[3]);
            }

            for (; i < end; i++)
            {
                acc0 += PairSums(vectors[i]);
            }

            (Vector256<ulong> lower, Vector256<ulong> upper) = Vector256.Widen(acc0 + acc1 + acc2 + acc3);
            sum += Vector256.Sum(lower + upper);
        }
        while (i < vectors.Length);

        // An odd last byte is the high byte of a word whose low byte is zero (RFC 9293 §3.1).
        return evenLength < data.Length ? sum + ((ulong)data[evenLength] << 8) : sum;
    }

    /// <summary>16 bytes per step; needs Vector128 hardware (the caller checks).</summary>
    internal static ulong AddVector128(ReadOnlySpan<byte> data, ulong sum)
    {
        if (data.Length < Vector128<byte>.Count)
        {
            return AddScalar(data, sum);
        }

        // The same steps as AddVector256, at half the width; see there.
        int evenLength = data.Length & ~1;
        int partialBytes = evenLength % Vector128<byte>.Count;
        Vector128<uint> pending = Vector128<uint>.Zero;
        if (partialBytes != 0)
        {
            Vector128<byte> last = Vector128.Create(data.Slice(evenLength - Vector128<byte>.Count, Vector128<byte>.Count));
            Vector128<byte> keep = Vector128.GreaterThan(Vector128<sbyte>.Indices, Vector128.Create((sbyte)(Vector128<byte>.Count - 1 - partialBytes))).AsByte();
            pending = PairSums(last & keep);
        }

        ReadOnlySpan<Vector128<byte>> vectors = MemoryMarshal.Cast<byte, Vector128<byte>>(data[..evenLength]);
        int i = 0;
        do
        {
            int end = Math.Min(vectors.Length, i + MaxVectorsBeforeFlush);
            Vector128<uint> acc0 = pending;
            Vector128<uint> acc1 = Vector128<uint>.Zero;
            Vector128<uint> acc2 = Vector128<uint>.Zero;
            Vector128<uint> acc3 = Vector128<uint>.Zero;
            pending = Vector128<uint>.Zero;
            for (; i <= end - 4; i += 4)
            {
                ReadOnlySpan<Vector128<byte>> four = vectors.Slice(i, 4);
                acc0 += PairSums(four[0]);
                acc1 += PairSums(four[1]);
                acc2 += PairSums(four[2]);
                acc3 += PairSums(four[3]);
            }

            for (; i < end; i++)
            {
                acc0 += PairSums(vectors[i]);
            }

            (Vector128<ulong> lower, Vector128<ulong> upper) = Vector128.Widen(acc0 + acc1 + acc2 + acc3);
            sum += Vector128.Sum(lower + upper);
        }
        while (i < vectors.Length);

        return evenLength < data.Length ? sum + ((ulong)data[evenLength] << 8) : sum;
    }

    /// <summary>
    /// Reads 16 words and adds the two big-endian words of each 32-bit lane into that lane, so
    /// each lane of the result is at most 2 * 0xFFFF.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // The 32 shuffle constants look big to the inliner.
    private static Vector256<uint> PairSums(Vector256<byte> bytes)
    {
        // Swap the two bytes of each word so that a little-endian lane holds the big-endian words
        // (one vpshufb: constant indices that stay inside each 128-bit half). A big-endian machine
        // already reads them that way.
        Vector256<uint> words = BitConverter.IsLittleEndian
            ? Vector256.Shuffle(bytes, Vector256.Create((byte)1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14, 17, 16, 19, 18, 21, 20, 23, 22, 25, 24, 27, 26, 29, 28, 31, 30)).AsUInt32()
            : bytes.AsUInt32();
        return (words & Vector256.Create(0xFFFFu)) + (words >>> 16);
    }

    /// <summary>The Vector128 twin of the method above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> PairSums(Vector128<byte> bytes)
    {
        Vector128<uint> words = BitConverter.IsLittleEndian
            ? Vector128.Shuffle(bytes, Vector128.Create((byte)1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14)).AsUInt32()
            : bytes.AsUInt32();
        return (words & Vector128.Create(0xFFFFu)) + (words >>> 16);
    }
}
