using System.Buffers.Binary;

namespace TinyStack.Tests.Host;

/// <summary>Ethernet frames that carry a sequence number, for link tests.</summary>
internal static class TestFrames
{
    /// <summary>IEEE 802 "local experimental" EtherType: no stack will take these frames for its own.</summary>
    public const ushort ExperimentalEtherType = 0x88B5;

    public const int MarkerOffset = 14;

    public static byte[] Make(int sequence, int length = 100)
    {
        if (length < MarkerOffset + 4)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        byte[] frame = new byte[length];
        frame.AsSpan(0, 6).Fill(0xFF);                                  // broadcast destination
        byte[] source = [0x02, 0x00, 0x00, 0x00, 0x00, 0x99];
        source.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), ExperimentalEtherType);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(MarkerOffset), sequence);

        // A payload that differs per frame, so corruption and duplication are visible.
        for (int i = MarkerOffset + 4; i < length; i++)
        {
            frame[i] = (byte)(sequence + i);
        }

        return frame;
    }

    public static int SequenceOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[MarkerOffset..]);

    public static int BitDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("frames differ in length");
        }

        int bits = 0;
        for (int i = 0; i < a.Length; i++)
        {
            bits += System.Numerics.BitOperations.PopCount((uint)(a[i] ^ b[i]));
        }

        return bits;
    }
}
