using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class TcpOptionsTests
{
    private static readonly SackBlock[] s_blocks =
    [
        new(new SeqNumber(1000), new SeqNumber(2000)),
        new(new SeqNumber(3000), new SeqNumber(4000)),
        new(new SeqNumber(0xFFFF_FF00), new SeqNumber(0x100)),
        new(new SeqNumber(7), new SeqNumber(8)),
    ];

    [Theory]
    [InlineData("", "<>")]
    [InlineData("mss", "<mss 1460>")]
    [InlineData("sack", "<nop,nop,sackOK>")]
    [InlineData("ts", "<nop,nop,TS val 5 ecr 6>")]
    [InlineData("sack ts", "<sackOK,TS val 5 ecr 6>")]
    [InlineData("ws", "<nop,wscale 14>")]
    [InlineData("mss sack ts ws", "<mss 1460,sackOK,TS val 5 ecr 6,nop,wscale 14>")]
    [InlineData("mss sack ws", "<mss 1460,nop,nop,sackOK,nop,wscale 14>")]
    [InlineData("ts blocks2", "<nop,nop,TS val 5 ecr 6,nop,nop,sack 2 {1000:2000} {3000:4000}>")]
    public void Writes_the_linux_layout_and_reads_it_back(string which, string expected)
    {
        TcpOptions options = Build(which);
        byte[] buffer = new byte[TcpOptions.MaxLength];

        int written = options.WriteTo(buffer);

        Assert.Equal(options.EncodedLength, written);
        Assert.Equal(0, written % 4);
        Assert.Equal(expected, options.ToString());
        Assert.True(TcpOptions.TryParse(buffer.AsSpan(0, written), out TcpOptions parsed));
        Assert.Equal(options, parsed);
    }

    [Fact]
    public void Four_sack_blocks_fit_without_timestamps_and_three_with()
    {
        TcpOptions options = default(TcpOptions).WithSackBlocks(s_blocks);
        byte[] buffer = new byte[40];

        Assert.Equal(36, options.WriteTo(buffer)); // nop, nop, kind, length, 4 x 8
        Assert.Equal(40, new TcpOptions { Timestamps = new TcpTimestamps(1, 2) }.WithSackBlocks(s_blocks.AsSpan(0, 3)).EncodedLength);
        Assert.True(TcpOptions.TryParse(buffer.AsSpan(0, 36), out TcpOptions parsed));
        Assert.Equal(4, parsed.SackBlockCount);
        Span<SackBlock> copy = stackalloc SackBlock[TcpOptions.MaxSackBlocks];
        Assert.Equal(4, parsed.CopySackBlocksTo(copy));
        Assert.Equal(s_blocks, copy.ToArray());
    }

    [Fact]
    public void Too_many_blocks_is_a_local_error_with_advice()
    {
        TcpOptions withTimestamps = new TcpOptions { Timestamps = new TcpTimestamps(1, 2) }.WithSackBlocks(s_blocks);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => withTimestamps.WriteTo(new byte[64]));
        Assert.Contains("3 fit with timestamps", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => default(TcpOptions).WithSackBlocks(new SackBlock[5]));
        Assert.Throws<ArgumentException>(() => new TcpOptions { Mss = 1 }.WriteTo(new byte[3]));
    }

    [Fact]
    public void Sack_blocks_are_read_by_index_only_within_the_count()
    {
        TcpOptions options = default(TcpOptions).WithSackBlocks(s_blocks.AsSpan(0, 2));

        Assert.Equal(s_blocks[1], options.GetSackBlock(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.GetSackBlock(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.GetSackBlock(-1));
        Assert.Throws<ArgumentException>(() => options.CopySackBlocksTo(new SackBlock[1]));
    }

    [Fact]
    public void Replacing_sack_blocks_clears_the_old_ones_for_equality()
    {
        TcpOptions four = default(TcpOptions).WithSackBlocks(s_blocks);
        TcpOptions one = four.WithSackBlocks(s_blocks.AsSpan(0, 1));

        Assert.Equal(default(TcpOptions).WithSackBlocks(s_blocks.AsSpan(0, 1)), one);
        Assert.True(four.WithSackBlocks([]).IsEmpty);
    }

    [Fact]
    public void The_last_of_duplicate_options_wins_and_extra_sack_blocks_are_ignored()
    {
        // MSS 1000 then MSS 1460; then a 5-block SACK option (42 bytes) only reachable when parsing a long list.
        string sack5 = "052a" + string.Concat(Enumerable.Range(1, 10).Select(i => i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(TcpOptions.TryParse(Convert.FromHexString("020403e8020405b4" + sack5), out TcpOptions options));

        Assert.Equal((ushort)1460, options.Mss);
        Assert.Equal(4, options.SackBlockCount);
        Assert.Equal(new SackBlock(new SeqNumber(7), new SeqNumber(8)), options.GetSackBlock(3));
    }

    private static TcpOptions Build(string which)
    {
        var options = new TcpOptions
        {
            Mss = which.Contains("mss", StringComparison.Ordinal) ? (ushort)1460 : null,
            SackPermitted = which.Contains("sack", StringComparison.Ordinal),
            Timestamps = which.Contains("ts", StringComparison.Ordinal) ? new TcpTimestamps(5, 6) : null,
            WindowScale = which.Contains("ws", StringComparison.Ordinal) ? (byte)14 : null,
        };
        return which.Contains("blocks2", StringComparison.Ordinal) ? options.WithSackBlocks(s_blocks.AsSpan(0, 2)) : options;
    }
}
