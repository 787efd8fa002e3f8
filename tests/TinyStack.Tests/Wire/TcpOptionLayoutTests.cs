using System.Globalization;
using CsCheck;
using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

/// <summary>
/// <see cref="TcpOptions.TryParse"/> reads the layouts of <see cref="TcpOptionLayout"/> at fixed
/// offsets; everywhere it must give what the general walk (<see cref="TcpOptions.TryParseByWalking"/>) gives.
/// </summary>
public class TcpOptionLayoutTests
{
    private static readonly Gen<byte[]> s_syn =
        Gen.Select(Gen.UShort, Gen.Bool, Gen.UInt, Gen.UInt, Gen.Byte, (mss, sackPermitted, tsVal, tsEcr, shift) =>
            Convert.FromHexString($"0204{mss:x4}" + (sackPermitted ? "0402" : "0101") + $"080a{tsVal:x8}{tsEcr:x8}" + $"010303{shift:x2}"));

    private static readonly Gen<byte[]> s_timestampsOnly =
        Gen.Select(Gen.UInt, Gen.UInt, (tsVal, tsEcr) => Convert.FromHexString($"0101080a{tsVal:x8}{tsEcr:x8}"));

    // One to three SACK blocks: a fourth does not fit beside the timestamps.
    private static readonly Gen<byte[]> s_timestampsAndSack =
        Gen.Select(Gen.UInt, Gen.UInt, Gen.Int[1, 3], Gen.UInt.Array[6], (tsVal, tsEcr, blocks, edges) =>
            Convert.FromHexString(
                $"0101080a{tsVal:x8}{tsEcr:x8}010105{2 + (blocks * 8):x2}"
                + string.Concat(edges.Take(blocks * 2).Select(edge => edge.ToString("x8", CultureInfo.InvariantCulture)))));

    /// <summary>A known layout with random values, then sometimes one byte changed, cut short or extended.</summary>
    private static readonly Gen<byte[]> s_nearLayoutLists =
        Gen.Select(
            Gen.OneOf(s_syn, s_timestampsOnly, s_timestampsAndSack),
            Gen.Int[0, 3],
            Gen.Int[0, TcpOptions.MaxLength - 1],
            Gen.Byte,
            (options, change, position, value) => change switch
            {
                1 => ChangeByte(options, position % options.Length, value),
                2 => options[..(position % options.Length)],
                3 => [.. options, .. Enumerable.Repeat(value, 1 + (position % 4))],
                _ => options,
            });

    /// <summary>The option lists of captured frames, with the layout each must be recognised as.</summary>
    public static TheoryData<string, int> CapturedLists => new()
    {
        { CapturedFrames.TcpSyn, TcpOptionLayout.Syn },
        { CapturedFrames.TcpSynAck, TcpOptionLayout.Syn },
        { CapturedFrames.TcpAck, TcpOptionLayout.Timestamps },
        { CapturedFrames.TcpData, TcpOptionLayout.Timestamps },
        { CapturedFrames.TcpSackAck, TcpOptionLayout.TimestampsAndSack },
    };

    [Theory]
    [MemberData(nameof(CapturedLists))]
    public void Captured_linux_lists_take_the_fast_path_and_read_what_the_walk_reads(string frameHex, int layout)
    {
        byte[] options = OptionBytes(frameHex);

        Assert.Equal(layout, TcpOptionLayout.Recognize(options));
        Assert.True(AgreesWithWalk(options));
    }

    [Fact]
    public void The_fast_path_reads_the_values_tcpdump_shows()
    {
        Assert.True(TcpOptions.TryParse(OptionBytes(CapturedFrames.TcpSyn), out TcpOptions syn));
        Assert.Equal(
            new TcpOptions { Mss = 1460, SackPermitted = true, Timestamps = new TcpTimestamps(409601332, 0), WindowScale = 10 },
            syn);

        Assert.True(TcpOptions.TryParse(OptionBytes(CapturedFrames.TcpSackAck), out TcpOptions sack));
        Assert.Equal(new TcpTimestamps(462139828, 4092333277), sack.Timestamps);
        Assert.Equal(1, sack.SackBlockCount);
        Assert.Equal(new SackBlock(new SeqNumber(0x448d42c3), new SeqNumber(0x448d4e13)), sack.GetSackBlock(0));
        Assert.Null(sack.Mss);
        Assert.False(sack.SackPermitted);

        // SACK off: NOP, NOP where SACK-permitted was.
        Assert.True(TcpOptions.TryParse(Convert.FromHexString("020405b40101080a00000005000000060103030e"), out TcpOptions noSack));
        Assert.Equal(new TcpOptions { Mss = 1460, Timestamps = new TcpTimestamps(5, 6), WindowScale = 14 }, noSack);
    }

    [Theory]
    [InlineData("020405b40402080a00000001000000020103040a")]                 // window scale claiming 4 bytes with 3 left: malformed
    [InlineData("020405b40402080b00000001000000020103030a")]                 // timestamps claiming 11 bytes
    [InlineData("020505b40402080a00000001000000020103030a")]                 // MSS claiming 5 bytes
    [InlineData("020405b40402080a00000001000000020003030a")]                 // EOL where the NOP was
    [InlineData("020405b40402080a000000010000000201030300" + "01010101")]    // 24 bytes: the SYN layout is exactly 20
    [InlineData("020405b40402080a0000000100000002010303")]                   // 19 bytes
    [InlineData("0101080a0000000100000002" + "01010101")]                    // timestamps then padding NOPs
    [InlineData("0101080a0000000100000002" + "00000000")]                    // timestamps then EOL
    [InlineData("0101080a00000001000000")]                                   // 11 bytes: timestamps cut short
    [InlineData("0101080b0000000100000002")]                                 // timestamps claiming 11 bytes: malformed
    [InlineData("0101080a0000000100000002" + "01010512" + "0000000100000002")] // SACK claiming 2 blocks with 1 present
    [InlineData("0101080a0000000100000002" + "0101050a" + "0000000100000002" + "00000000")] // SACK then EOL padding
    [InlineData("0101080a0000000100000002" + "0101050200000000")]            // SACK with no blocks
    [InlineData("0101080a0000000100000002" + "0101050a" + "0000000100000002" + "0101050a0000000300000004")] // two SACK options
    public void Near_misses_are_walked(string optionsHex)
    {
        byte[] options = Convert.FromHexString(optionsHex);

        Assert.Equal(TcpOptionLayout.Unknown, TcpOptionLayout.Recognize(options));
        Assert.False(AgreesWithWalk(options));
    }

    [Fact]
    public void Every_single_byte_change_to_a_known_layout_reads_what_the_walk_reads()
    {
        // Each position set to each of the 256 values: kinds, lengths and values, valid and malformed.
        string[] lists =
        [
            .. CapturedLists.Select(row => Convert.ToHexString(OptionBytes((string)row[0]))),
            "020405b40101080a00000005000000060103030e",
            "0101080a00000001000000020101051a" + "000000030000000400000005000000060000000700000008",
        ];
        int recognised = 0;
        int changes = 0;
        foreach (string hex in lists)
        {
            byte[] original = Convert.FromHexString(hex);
            for (int position = 0; position < original.Length; position++)
            {
                for (int value = 0; value < 256; value++)
                {
                    byte[] options = (byte[])original.Clone();
                    options[position] = (byte)value;
                    recognised += AgreesWithWalk(options) ? 1 : 0;
                    changes++;
                }
            }
        }

        // The changes to values keep the layout, the others do not: both sides are exercised.
        Assert.InRange(recognised, changes / 4, changes - (changes / 8));
    }

    [Fact]
    public void Random_lists_near_the_known_layouts_read_what_the_walk_reads()
    {
        int recognised = 0;
        int lists = 0;
        s_nearLayoutLists.Sample(options =>
        {
            if (AgreesWithWalk(options))
            {
                Interlocked.Increment(ref recognised);
            }

            Interlocked.Increment(ref lists);
        }, iter: 50_000);

        Assert.InRange(recognised, lists / 10, lists - (lists / 10));
    }

    [Fact]
    public void Random_bytes_read_what_the_walk_reads()
    {
        Gen.Byte.Array[0, TcpOptions.MaxLength].Sample(options => { AgreesWithWalk(options); }, iter: 50_000);
    }

    [Fact]
    public void Lists_we_write_in_a_known_shape_take_the_fast_path()
    {
        WireGen.TcpOptions.Sample(options =>
        {
            byte[] buffer = new byte[options.EncodedLength];
            options.WriteTo(buffer);

            bool recognised = AgreesWithWalk(buffer);
            Assert.True(TcpOptions.TryParse(buffer, out TcpOptions parsed));
            Assert.Equal(options, parsed);
            int expected = (options.Mss, options.Timestamps, options.WindowScale, options.SackBlockCount) switch
            {
                ({ }, { }, { }, 0) => TcpOptionLayout.Syn,
                (null, { }, null, 0) when !options.SackPermitted => TcpOptionLayout.Timestamps,
                (null, { }, null, > 0) when !options.SackPermitted => TcpOptionLayout.TimestampsAndSack,
                _ => TcpOptionLayout.Unknown,
            };
            Assert.Equal(expected, TcpOptionLayout.Recognize(buffer));
            Assert.Equal(expected != TcpOptionLayout.Unknown, recognised);
        }, iter: 20_000);
    }

    /// <summary>
    /// Asserts that TryParse and the general walk agree on success and on the value, and returns
    /// whether the list took the fast path.
    /// </summary>
    private static bool AgreesWithWalk(byte[] options)
    {
        bool fast = TcpOptions.TryParse(options, out TcpOptions fastResult);
        bool walked = TcpOptions.TryParseByWalking(options, out TcpOptions walkResult);

        Assert.Equal(walked, fast);
        Assert.Equal(walkResult, fastResult);
        return TcpOptionLayout.Recognize(options) != TcpOptionLayout.Unknown;
    }

    private static byte[] ChangeByte(byte[] options, int position, byte value)
    {
        options[position] = value;
        return options;
    }

    private static byte[] OptionBytes(string frameHex)
    {
        Assert.True(EthernetFrame.TryCreate(CapturedFrames.Bytes(frameHex), out EthernetFrame ethernet));
        Assert.True(Ipv4Packet.TryCreate(ethernet.Payload, out Ipv4Packet ip));
        Assert.True(TcpSegment.TryCreate(ip.Payload, out TcpSegment tcp));
        return tcp.OptionBytes.ToArray();
    }
}
