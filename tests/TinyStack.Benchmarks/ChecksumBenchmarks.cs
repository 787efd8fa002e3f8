using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using TinyStack.Wire;

namespace TinyStack.Benchmarks;

/// <summary>
/// The Internet checksum of a minimum frame, a full 1500-byte packet and a 64 KiB segment:
/// <see cref="Checksum.Compute"/> against the word-at-a-time loop of RFC 1071 §4.1.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ChecksumBenchmarks
{
    private byte[] _data = [];

    [Params(64, 1500, 64 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(1071).NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public ushort NaiveScalar() => NaiveChecksum(_data);

    [Benchmark]
    public ushort TinyStack() => Checksum.Compute(_data);

    /// <summary>One big-endian word per step, folded at the end: the obvious loop.</summary>
    private static ushort NaiveChecksum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (ulong)data[i] << 8;
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
