using TinyStack.Tcp;

namespace TinyStack.Tests.Wire;

public class SeqNumberTests
{
    [Fact]
    public void Compares_across_the_wrap()
    {
        var beforeWrap = new SeqNumber(0xFFFF_FFF0);
        var afterWrap = new SeqNumber(0x0000_0010);

        Assert.True(beforeWrap < afterWrap);
        Assert.True(beforeWrap <= afterWrap);
        Assert.True(afterWrap > beforeWrap);
        Assert.True(afterWrap >= beforeWrap);
        Assert.False(afterWrap < beforeWrap);
        Assert.False(beforeWrap > afterWrap);
        var same = new SeqNumber(0x10);
        Assert.True(afterWrap <= same && afterWrap >= same);
        Assert.False(afterWrap < same || afterWrap > same);
    }

    [Fact]
    public void Adds_and_subtracts_modulo_two_to_the_32()
    {
        var number = new SeqNumber(0xFFFF_FFF0);

        Assert.Equal(new SeqNumber(0x10), number + 0x20);
        Assert.Equal(number, new SeqNumber(0x10) - 0x20);
        Assert.Equal(new SeqNumber(0xFFFF_FFE0), number + -0x10);
        Assert.Equal(0x20, new SeqNumber(0x10) - number);
        Assert.Equal(-0x20, number - new SeqNumber(0x10));
        Assert.Equal(int.MaxValue, new SeqNumber(0) + int.MaxValue - new SeqNumber(0));
    }

    [Fact]
    public void Half_the_space_away_is_the_limit_of_ordering()
    {
        var zero = new SeqNumber(0);

        Assert.True(zero < zero + int.MaxValue);
        Assert.True(zero > zero + int.MaxValue + 2); // 2^31 + 1 ahead is behind
    }

    [Fact]
    public void Max_and_min_follow_modular_order()
    {
        var beforeWrap = new SeqNumber(0xFFFF_FFF0);
        var afterWrap = new SeqNumber(5);

        Assert.Equal(afterWrap, SeqNumber.Max(beforeWrap, afterWrap));
        Assert.Equal(afterWrap, SeqNumber.Max(afterWrap, beforeWrap));
        Assert.Equal(beforeWrap, SeqNumber.Min(beforeWrap, afterWrap));
        Assert.Equal(beforeWrap, SeqNumber.Min(afterWrap, beforeWrap));
    }

    [Fact]
    public void Prints_the_raw_value()
    {
        Assert.Equal("4294967295", new SeqNumber(uint.MaxValue).ToString());
        Assert.Equal("0", default(SeqNumber).ToString());
    }
}
