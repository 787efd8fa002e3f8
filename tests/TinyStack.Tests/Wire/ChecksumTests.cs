using System.Buffers.Binary;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class ChecksumTests
{
    // A SYN sent by the Linux kernel (nc 10.0.0.1:40000 -> 10.0.0.2:80), read as an Ethernet frame
    // from a TAP device in a private network namespace. A TAP without offloads makes the kernel
    // fill in real IPv4 and TCP checksums. Options: MSS 1460, SACK permitted, timestamps, NOP,
    // window scale 10.
    private const string LinuxSynFrameHex =
        "020000000002020000000001" + "0800" +
        "4500003ce7b8400040063f010a0000010a000002" +
        "9c400050b9fd485200000000a002faf065360000020405b40402080a310303f0000000000103030a";

    private const int EthernetHeaderLength = 14;
    private const int Ipv4HeaderLength = 20;
    private const int Ipv4ChecksumOffset = 10;
    private const int TcpChecksumOffset = 16;
    private const byte TcpProtocol = 6;

    /// <summary>The path under test: the public entry point or one of the internal ones.</summary>
    public enum SumPath
    {
        Public,
        Scalar,
        Vector128,
        Vector256,
    }

    /// <summary>RFC 1071 §1, word by word, nothing clever: the oracle for everything below.</summary>
    private static ulong ReferenceSum(ReadOnlySpan<byte> data, ulong sum = 0)
    {
        for (int i = 0; i < data.Length; i += 2)
        {
            int high = data[i];
            int low = i + 1 < data.Length ? data[i + 1] : 0;
            sum += (ulong)((high << 8) | low);
        }

        return sum;
    }

    private static ulong AddVia(SumPath path, ReadOnlySpan<byte> data, ulong sum) => path switch
    {
        SumPath.Scalar => Checksum.AddScalar(data, sum),
        SumPath.Vector128 => Checksum.AddVector128(data, sum),
        SumPath.Vector256 => Checksum.AddVector256(data, sum),
        _ => Checksum.Add(data, sum),
    };

    public static TheoryData<SumPath> AllPaths => new(Enum.GetValues<SumPath>());

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Add_EqualsReference_ForEveryShortLengthAtEveryOffset(SumPath path)
    {
        // Every length up to 300 covers each combination of vector blocks, 16-byte, 8-byte,
        // 2-byte and odd-byte tails; every offset 0..63 covers every alignment to a cache line.
        var random = new Random(1071);
        byte[] buffer = new byte[64 + 300];
        random.NextBytes(buffer);
        for (int offset = 0; offset < 64; offset++)
        {
            for (int length = 0; length <= 300; length++)
            {
                ReadOnlySpan<byte> data = buffer.AsSpan(offset, length);
                ulong start = (ulong)random.Next();
                Assert.Equal(ReferenceSum(data, start), AddVia(path, data, start));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Add_EqualsReference_ForRandomLengthsUpTo9000AtEveryOffset(SumPath path)
    {
        var random = new Random(1624);
        byte[] buffer = new byte[64 + 9000];
        random.NextBytes(buffer);
        for (int offset = 0; offset < 64; offset++)
        {
            for (int trial = 0; trial < 16; trial++)
            {
                int length = random.Next(0, 9001);
                ReadOnlySpan<byte> data = buffer.AsSpan(offset, length);
                Assert.Equal(ReferenceSum(data), AddVia(path, data, 0));
            }
        }
    }

    [Fact]
    public void Rfc1071Section3Example_SumsTo2ddf0AndFoldsToDdf2()
    {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 add up to 2ddf0, which folds to ddf2.
        byte[] data = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];

        Assert.Equal(0x2DDF0ul, Checksum.Add(data));
        Assert.Equal(0xDDF2, Checksum.Fold(Checksum.Add(data)));
        Assert.Equal(0xFFFF - 0xDDF2, Checksum.Compute(data));
    }

    [Fact]
    public void Rfc1071Section3Example_GivesTheSameSumAtEveryOffsetInsideALargerBuffer()
    {
        // Embedded in 100 bytes of zeros, at every offset, so that the vector paths see it too.
        byte[] example = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];
        for (int offset = 0; offset < 64; offset += 2)
        {
            byte[] buffer = new byte[100];
            example.CopyTo(buffer, offset);

            Assert.Equal(0xDDF2, Checksum.Fold(Checksum.Add(buffer)));
        }
    }

    [Theory]
    [InlineData(SumPath.Public, 64 * 1024)]
    [InlineData(SumPath.Public, 1024 * 1024)]
    [InlineData(SumPath.Public, (5 * 1024 * 1024) + 33)]
    [InlineData(SumPath.Vector256, 256 * 32)]
    [InlineData(SumPath.Vector256, (256 * 32) + 30)]
    [InlineData(SumPath.Vector256, (257 * 32) + 30)]
    [InlineData(SumPath.Vector256, (3 * 256 * 32) + 31)]
    [InlineData(SumPath.Vector256, (1024 * 1024) + 30)]
    [InlineData(SumPath.Vector128, (256 * 16) + 14)]
    [InlineData(SumPath.Vector128, (257 * 16) + 14)]
    [InlineData(SumPath.Vector128, (3 * 1024 * 1024) + 7)]
    [InlineData(SumPath.Scalar, (1024 * 1024) + 1)]
    public void Add_AllOnesData_DoesNotOverflowTheLaneAccumulators(SumPath path, int length)
    {
        // 0xFF bytes are the worst case for the 16-bit accumulator lanes. The lengths sit at and
        // just past the point where the lanes must be emptied (256 whole vectors plus a partial
        // one), and far beyond it.
        byte[] data = new byte[length];
        data.AsSpan().Fill(0xFF);
        ulong expected = ((ulong)(length / 2) * 0xFFFF) + (length % 2 == 1 ? 0xFF00ul : 0);

        ulong sum = AddVia(path, data, 0);

        Assert.Equal(expected, sum);
        Assert.Equal(ReferenceSum(data), sum);
        // n words of 0xFFFF are n times -0; an odd last byte adds 0xFF00 to that.
        ushort folded = length % 2 == 1 ? (ushort)0xFF00 : (ushort)0xFFFF;
        Assert.Equal(folded, Checksum.Fold(sum));
        Assert.Equal((ushort)~folded, Checksum.Compute(data));
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public void Add_LargeRandomInputs_EqualsReferenceAtSeveralOffsets(int length)
    {
        var random = new Random(length);
        byte[] buffer = new byte[length + 64];
        random.NextBytes(buffer);
        foreach (int offset in new[] { 0, 1, 3, 17, 32, 63 })
        {
            ReadOnlySpan<byte> data = buffer.AsSpan(offset, length - (offset % 2));
            ulong expected = ReferenceSum(data);

            Assert.Equal(expected, Checksum.Add(data));
            Assert.Equal(expected, Checksum.AddVector128(data, 0));
            Assert.Equal((ushort)~Checksum.Fold(expected), Checksum.Compute(data));
        }
    }

    [Fact]
    public void Fold_EqualsOnesComplementReductionModulo0xFFFF()
    {
        // In one's complement arithmetic a nonzero sum never folds to +0: residue 0 reads 0xFFFF.
        var random = new Random(16);
        ulong[] values = [0, 1, 0xFFFF, 0x10000, 0x1FFFE, 0x8000_8000_FFFF, ulong.MaxValue, ulong.MaxValue - 0xFFFF];
        foreach (ulong value in values.Concat(Enumerable.Range(0, 1000).Select(_ => (ulong)random.NextInt64() * 3)))
        {
            ulong residue = value % 0xFFFF;
            ushort expected = value == 0 ? (ushort)0 : residue == 0 ? (ushort)0xFFFF : (ushort)residue;

            Assert.Equal(expected, Checksum.Fold(value));
        }
    }

    [Fact]
    public void LinuxSyn_TcpChecksumWithPseudoHeader_MatchesTheKernels()
    {
        byte[] frame = Convert.FromHexString(LinuxSynFrameHex);
        ReadOnlySpan<byte> ip = frame.AsSpan(EthernetHeaderLength, Ipv4HeaderLength);
        byte[] segment = frame.AsSpan(EthernetHeaderLength + Ipv4HeaderLength).ToArray();
        var source = new Ipv4Address(ip[12..16]);
        var destination = new Ipv4Address(ip[16..20]);
        ushort kernelChecksum = BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(TcpChecksumOffset));

        // A receiver's check: the sum over pseudo-header and segment, checksum included, is -0.
        Assert.Equal(0xFFFF, Checksum.Fold(Checksum.Add(segment, Checksum.PseudoHeaderSum(source, destination, TcpProtocol, segment.Length))));

        // A sender's computation: with the field zeroed we produce the kernel's value.
        segment.AsSpan(TcpChecksumOffset, 2).Clear();
        Assert.Equal(0x6536, kernelChecksum);
        Assert.Equal(kernelChecksum, Checksum.ComputeWithPseudoHeader(source, destination, TcpProtocol, segment));

        // Different addresses give a different checksum: the pseudo-header is really included.
        Assert.NotEqual(kernelChecksum, Checksum.ComputeWithPseudoHeader(new Ipv4Address(10, 0, 0, 3), destination, TcpProtocol, segment));
    }

    [Fact]
    public void LinuxSyn_Ipv4HeaderChecksum_MatchesTheKernels()
    {
        byte[] header = Convert.FromHexString(LinuxSynFrameHex).AsSpan(EthernetHeaderLength, Ipv4HeaderLength).ToArray();
        ushort kernelChecksum = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(Ipv4ChecksumOffset));

        Assert.Equal(0, Checksum.Compute(header));
        header.AsSpan(Ipv4ChecksumOffset, 2).Clear();
        Assert.Equal(0x3F01, kernelChecksum);
        Assert.Equal(kernelChecksum, Checksum.Compute(header));
    }

    [Fact]
    public void PseudoHeaderSum_AddsTheAddressWordsProtocolAndLength()
    {
        // RFC 9293 §3.1: source, destination, zero, protocol, TCP length, as big-endian words.
        byte[] pseudoHeader = [10, 0, 0, 1, 192, 168, 200, 254, 0, TcpProtocol, 0x05, 0xDC];

        ulong sum = Checksum.PseudoHeaderSum(new Ipv4Address(10, 0, 0, 1), new Ipv4Address(192, 168, 200, 254), TcpProtocol, 1500);

        Assert.Equal(ReferenceSum(pseudoHeader), sum);
    }

    [Fact]
    public void Update_Rfc1624Section4Example_GivesPositiveZeroLikeRecomputation()
    {
        // RFC 1624 §4: the other words sum to 0xCD7A; m = 0x5555 changes to m' = 0x3285. The
        // recomputed checksum is ~(0xCD7A + 0x3285) = ~0xFFFF = 0x0000, where RFC 1141's eqn. 2
        // would give 0xFFFF.
        byte[] data = [0xCD, 0x7A, 0x55, 0x55];
        ushort before = Checksum.Compute(data);
        Assert.Equal(0xDD2F, before);

        ushort updated = Checksum.Update(before, 0x5555, 0x3285);

        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), 0x3285);
        Assert.Equal(0x0000, Checksum.Compute(data));
        Assert.Equal(0x0000, updated);
    }

    [Fact]
    public void Update_UnchangedWordWithZeroChecksum_StaysZero()
    {
        // RFC 1624 errata 4782: with HC = 0 and m = m' = 0x5555, adding without end-around carry
        // yields 0xFFFF; the folded 64-bit sum keeps 0x0000.
        byte[] data = [0xAA, 0xAA, 0x55, 0x55];
        Assert.Equal(0x0000, Checksum.Compute(data));

        Assert.Equal(0x0000, Checksum.Update(0x0000, 0x5555, 0x5555));
    }

    [Fact]
    public void Update_RandomWordChanges_EqualFullRecomputation()
    {
        var random = new Random(9293);
        for (int trial = 0; trial < 5000; trial++)
        {
            byte[] data = new byte[2 * random.Next(2, 31)];
            random.NextBytes(data);
            int word = 2 * random.Next(data.Length / 2);
            ushort oldValue = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(word));

            // A third of the trials choose m' so that the new sum is exactly 0xFFFF (-0), the
            // case where a wrong update gives 0xFFFF instead of 0x0000; a few leave m unchanged.
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(word), 0);
            ushort othersSum = Checksum.Fold(Checksum.Add(data));
            ushort newValue = (trial % 3) switch
            {
                0 => (ushort)~othersSum,
                1 when trial % 7 == 0 => oldValue,
                _ => (ushort)random.Next(0x10000),
            };

            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(word), oldValue);
            ushort before = Checksum.Compute(data);
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(word), newValue);
            ushort after = Checksum.Compute(data);

            Assert.Equal(after, Checksum.Update(before, oldValue, newValue));
            if (trial % 3 == 0)
            {
                Assert.Equal(0x0000, after);
            }
        }
    }

    [Fact]
    public void Add_Chained_EqualsAddOfTheConcatenationWhenTheFirstChunkIsEven()
    {
        var random = new Random(768);
        byte[] buffer = new byte[4096];
        random.NextBytes(buffer);
        for (int trial = 0; trial < 2000; trial++)
        {
            int offset = random.Next(64);
            int firstLength = 2 * random.Next(1000);
            int secondLength = random.Next(1000);
            ReadOnlySpan<byte> whole = buffer.AsSpan(offset, firstLength + secondLength);
            ulong start = (ulong)random.NextInt64(0, 1L << 40);

            ulong chained = Checksum.Add(whole[firstLength..], Checksum.Add(whole[..firstLength], start));

            Assert.Equal(Checksum.Add(whole, start), chained);
        }
    }

    [Fact]
    public void Add_Chained_ThreeChunksSplitAtEvenPoints_EqualsOneAdd()
    {
        byte[] data = Convert.FromHexString(LinuxSynFrameHex);

        ulong chained = Checksum.Add(data.AsSpan(34), Checksum.Add(data.AsSpan(14, 20), Checksum.Add(data.AsSpan(0, 14))));

        Assert.Equal(Checksum.Add(data), chained);
    }

    [Fact]
    public void Add_Chained_AfterAnOddChunk_IsNotTheSameAsOneAdd()
    {
        // The documented limit of chaining: an odd chunk is padded with a zero byte, which shifts
        // every later byte to the other half of its word.
        byte[] data = [0x01, 0x02, 0x03];

        ulong chained = Checksum.Add(data.AsSpan(1), Checksum.Add(data.AsSpan(0, 1)));

        Assert.Equal(0x0100ul + 0x0203ul, chained);
        Assert.Equal(0x0102ul + 0x0300ul, Checksum.Add(data));
    }
}
