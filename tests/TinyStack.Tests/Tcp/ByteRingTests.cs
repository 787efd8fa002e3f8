using TinyStack.Tcp;

namespace TinyStack.Tests.Tcp;

public class ByteRingTests
{
    [Fact]
    public void Holds_no_array_until_data_arrives_and_returns_it_when_empty()
    {
        var ring = new ByteRing(limit: 64 * 1024, initialCapacity: 4096);
        Assert.Equal(0, ring.Capacity);
        Assert.Equal(3, ring.Append([1, 2, 3]));
        Assert.True(ring.Capacity >= 4096);
        ring.Discard(3);
        Assert.Equal(0, ring.Capacity);
    }

    [Fact]
    public void Grows_up_to_the_limit_and_refuses_more()
    {
        var ring = new ByteRing(limit: 10_000, initialCapacity: 1024);
        byte[] data = Enumerable.Range(0, 12_000).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(10_000, ring.Append(data));
        Assert.Equal(0, ring.Append(data));
        byte[] back = new byte[10_000];
        ring.CopyTo(0, back);
        Assert.Equal(data[..10_000], back);
    }

    [Fact]
    public void Wraps_around_and_keeps_content_across_growth()
    {
        var ring = new ByteRing(limit: 1 << 20, initialCapacity: 256);
        var model = new List<byte>();
        var random = new Random(3);
        byte next = 0;
        for (int step = 0; step < 2000; step++)
        {
            if (random.Next(2) == 0)
            {
                byte[] chunk = new byte[random.Next(1, 700)];
                for (int i = 0; i < chunk.Length; i++)
                {
                    chunk[i] = next++;
                }

                int taken = ring.Append(chunk);
                model.AddRange(chunk[..taken]);
            }
            else if (model.Count > 0)
            {
                int n = random.Next(1, model.Count + 1);
                byte[] read = new byte[n];
                ring.CopyTo(0, read);
                Assert.Equal(model.GetRange(0, n), read);
                ring.Discard(n);
                model.RemoveRange(0, n);
            }

            Assert.Equal(model.Count, ring.Count);
        }
    }

    [Fact]
    public void Out_of_order_bytes_survive_growth_and_commit_in_order()
    {
        var ring = new ByteRing(limit: 1 << 16, initialCapacity: 256);
        ring.WriteAt(1000, [9, 9, 9]);
        Assert.Equal(0, ring.Count);
        Assert.Equal(1003, ring.Extent);
        ring.WriteAt(0, new byte[1000]);
        ring.Commit(1003);
        byte[] tail = new byte[3];
        ring.CopyTo(1000, tail);
        Assert.Equal(new byte[] { 9, 9, 9 }, tail);
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.Commit(1));
    }
}
