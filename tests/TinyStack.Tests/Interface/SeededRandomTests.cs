namespace TinyStack.Tests.Interface;

public class SeededRandomTests
{
    [Fact]
    public void Same_seed_gives_the_same_sequence_and_different_seeds_differ()
    {
        var a = new SeededRandom(123);
        var b = new SeededRandom(123);
        var c = new SeededRandom(124);

        ulong[] first = [.. Enumerable.Range(0, 8).Select(_ => a.NextUInt64())];
        ulong[] second = [.. Enumerable.Range(0, 8).Select(_ => b.NextUInt64())];
        ulong[] third = [.. Enumerable.Range(0, 8).Select(_ => c.NextUInt64())];

        Assert.Equal(first, second);
        Assert.NotEqual(first, third);
        Assert.Equal(8, first.Distinct().Count());
    }

    [Fact]
    public void Seed_zero_works()
    {
        var random = new SeededRandom(0);

        Assert.NotEqual(random.NextUInt64(), random.NextUInt64());
    }

    [Fact]
    public void Next_is_uniform_within_its_bound()
    {
        var random = new SeededRandom(9);
        int[] counts = new int[6];
        for (int i = 0; i < 60_000; i++)
        {
            counts[random.Next(6)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.Next(0));
    }

    [Fact]
    public void NextBytes_fills_the_span()
    {
        var random = new SeededRandom(5);
        byte[] bytes = new byte[1000];

        random.NextBytes(bytes);

        Assert.True(bytes.Distinct().Count() > 200);
    }
}
