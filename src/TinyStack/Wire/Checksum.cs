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
/// The sum is vectorised (Vector256 or Vector128, whichever the hardware accelerates; scalar
/// otherwise), using two facts. First, the sum can be split and regrouped at will (RFC 1071
/// §2(A)): each vector lane keeps its own partial sums, combined at the end (§2(C)). Second, a
/// word is 256 * (its byte at an even offset) + (its byte at the following odd offset), so
/// <c>sum of words = 256 * (sum of even-offset bytes) + (sum of odd-offset bytes)</c>. A vector
/// step therefore masks out the even bytes, shifts down the odd bytes, and adds each set into the
/// 16-bit lanes of an accumulator: four simple instructions per vector, no byte shuffle.
/// </para>
/// <para>
/// RFC 1071 §2(B) offers another way: since the sum is byte-order independent, a little-endian
/// machine may add its native words and swap the bytes of the folded result. We do not use it,
/// because splitting the bytes costs no more and it makes <see cref="Add"/> return exactly the
/// big-endian word sum, not merely a value that folds to the same checksum, on every path and on
/// machines of either byte order. Because of that:
/// </para>
/// <list type="bullet">
/// <item>the Vector256, Vector128 and scalar paths agree bit for bit (the tests check this);</item>
/// <item>the result can be mixed freely with other big-endian sums (<see cref="PseudoHeaderSum"/>);</item>
/// <item>chaining is exact: <c>Add(b, Add(a)) == Add(a ++ b)</c> when <c>a</c> has even length.</item>
/// </list>
/// </remarks>
public static class Checksum
{
    // A vector step adds at most 0xFF to each 16-bit accumulator lane, so a lane can take 257
    // vectors without overflowing. The accumulators are emptied into the 64-bit sum after this
    // many vectors (8 KiB of Vector256); the one left over is for the partial last vector.
    private const int VectorsPerBlock = (ushort.MaxValue / byte.MaxValue) - 1;

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
        Vector256<ushort> pending = Vector256<ushort>.Zero;
        if (partialBytes != 0)
        {
            Vector256<byte> last = Vector256.Create(data.Slice(evenLength - Vector256<byte>.Count, Vector256<byte>.Count));
            Vector256<byte> keep = Vector256.GreaterThan(Vector256<sbyte>.Indices, Vector256.Create((sbyte)(Vector256<byte>.Count - 1 - partialBytes))).AsByte();
            pending = (last & keep).AsUInt16();
        }

        // Reinterpret the bytes as unaligned 32-byte vectors; the span keeps every read checked.
        ReadOnlySpan<Vector256<ushort>> vectors = MemoryMarshal.Cast<byte, Vector256<ushort>>(data[..evenLength]);
        int i = 0;
        do
        {
            // Each vector adds its even bytes to one accumulator and its odd bytes to another.
            // Two such pairs take turns, so that consecutive adds do not wait for each other.
            // Together they take at most VectorsPerBlock vectors plus the pending one, at most
            // 0xFF per lane each, so even the sum of the two pairs fits in 16 bits.
            int end = Math.Min(vectors.Length, i + VectorsPerBlock);
            Vector256<ushort> even0 = EvenBytes(pending);
            Vector256<ushort> odd0 = OddBytes(pending);
            Vector256<ushort> even1 = Vector256<ushort>.Zero;
            Vector256<ushort> odd1 = Vector256<ushort>.Zero;
            pending = Vector256<ushort>.Zero;
            for (; i <= end - 4; i += 4)
            {
                ReadOnlySpan<Vector256<ushort>> four = vectors.Slice(i, 4);
                even0 += EvenBytes(four[0]);
                odd0 += OddBytes(four[0]);
                even1 += EvenBytes(four[1]);
                odd1 += OddBytes(four[1]);
                even0 += EvenBytes(four[2]);
                odd0 += OddBytes(four[2]);
                even1 += EvenBytes(four[3]);
                odd1 += OddBytes(four[3]);
            }

            for (; i < end; i++)
            {
                even1 += EvenBytes(vectors[i]);
                odd1 += OddBytes(vectors[i]);
            }

            // Widen to 32 bits and form 256 * even + odd: each 32-bit lane is at most
            // 2 * 0xFFFF * 257 (below 2^25), so even the sum of all lanes fits in 32 bits.
            (Vector256<uint> evenLower, Vector256<uint> evenUpper) = Vector256.Widen(even0 + even1);
            (Vector256<uint> oddLower, Vector256<uint> oddUpper) = Vector256.Widen(odd0 + odd1);
            sum += Vector256.Sum(((evenLower + evenUpper) << 8) + oddLower + oddUpper);
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

        // The same steps as AddVector256, at half the width; the comments are there.
        int evenLength = data.Length & ~1;
        int partialBytes = evenLength % Vector128<byte>.Count;
        Vector128<ushort> pending = Vector128<ushort>.Zero;
        if (partialBytes != 0)
        {
            Vector128<byte> last = Vector128.Create(data.Slice(evenLength - Vector128<byte>.Count, Vector128<byte>.Count));
            Vector128<byte> keep = Vector128.GreaterThan(Vector128<sbyte>.Indices, Vector128.Create((sbyte)(Vector128<byte>.Count - 1 - partialBytes))).AsByte();
            pending = (last & keep).AsUInt16();
        }

        ReadOnlySpan<Vector128<ushort>> vectors = MemoryMarshal.Cast<byte, Vector128<ushort>>(data[..evenLength]);
        int i = 0;
        do
        {
            int end = Math.Min(vectors.Length, i + VectorsPerBlock);
            Vector128<ushort> even0 = EvenBytes(pending);
            Vector128<ushort> odd0 = OddBytes(pending);
            Vector128<ushort> even1 = Vector128<ushort>.Zero;
            Vector128<ushort> odd1 = Vector128<ushort>.Zero;
            pending = Vector128<ushort>.Zero;
            for (; i <= end - 4; i += 4)
            {
                ReadOnlySpan<Vector128<ushort>> four = vectors.Slice(i, 4);
                even0 += EvenBytes(four[0]);
                odd0 += OddBytes(four[0]);
                even1 += EvenBytes(four[1]);
                odd1 += OddBytes(four[1]);
                even0 += EvenBytes(four[2]);
                odd0 += OddBytes(four[2]);
                even1 += EvenBytes(four[3]);
                odd1 += OddBytes(four[3]);
            }

            for (; i < end; i++)
            {
                even1 += EvenBytes(vectors[i]);
                odd1 += OddBytes(vectors[i]);
            }

            (Vector128<uint> evenLower, Vector128<uint> evenUpper) = Vector128.Widen(even0 + even1);
            (Vector128<uint> oddLower, Vector128<uint> oddUpper) = Vector128.Widen(odd0 + odd1);
            sum += Vector128.Sum(((evenLower + evenUpper) << 8) + oddLower + oddUpper);
        }
        while (i < vectors.Length);

        return evenLength < data.Length ? sum + ((ulong)data[evenLength] << 8) : sum;
    }

    /// <summary>The bytes at even offsets (the high-order bytes of the words), one per 16-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> EvenBytes(Vector256<ushort> lanes) =>
        BitConverter.IsLittleEndian ? lanes & Vector256.Create((ushort)0xFF) : lanes >>> 8;

    /// <summary>The bytes at odd offsets (the low-order bytes of the words), one per 16-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> OddBytes(Vector256<ushort> lanes) =>
        BitConverter.IsLittleEndian ? lanes >>> 8 : lanes & Vector256.Create((ushort)0xFF);

    /// <summary>The bytes at even offsets (the high-order bytes of the words), one per 16-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> EvenBytes(Vector128<ushort> lanes) =>
        BitConverter.IsLittleEndian ? lanes & Vector128.Create((ushort)0xFF) : lanes >>> 8;

    /// <summary>The bytes at odd offsets (the low-order bytes of the words), one per 16-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> OddBytes(Vector128<ushort> lanes) =>
        BitConverter.IsLittleEndian ? lanes >>> 8 : lanes & Vector128.Create((ushort)0xFF);
}
