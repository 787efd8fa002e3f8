using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
/// the data taken as big-endian 16-bit words, an odd trailing byte padded with zero.
/// </summary>
public static class Checksum
{
    /// <summary>
    /// Adds <paramref name="data"/> to a running 32-bit sum. Chaining is only exact when every
    /// chunk but the last has even length.
    /// </summary>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum = 0)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (ulong)data[i] << 8;
        }

        return sum;
    }

    /// <summary>Folds a running sum to 16 bits with end-around carry.</summary>
    public static ushort Fold(ulong sum)
    {
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
    public static ushort Update(ushort checksum, ushort oldValue, ushort newValue) =>
        (ushort)~Fold((ulong)(ushort)~checksum + (ushort)~oldValue + newValue);
}
