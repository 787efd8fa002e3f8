using TinyStack.Tcp;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp;

public class DeadlineHeapTests
{
    private sealed class Item(long due) : IDeadlineItem
    {
        public Instant Deadline { get; set; } = new(due);

        public int HeapIndex { get; set; } = -1;
    }

    [Fact]
    public void Yields_items_in_deadline_order_after_random_updates()
    {
        var heap = new DeadlineHeap<Item>();
        var random = new Random(7);
        var items = new List<Item>();
        for (int i = 0; i < 500; i++)
        {
            var item = new Item(random.Next(1_000_000));
            items.Add(item);
            heap.Update(item);
        }

        // Move some deadlines both ways and take some items out.
        for (int i = 0; i < 300; i++)
        {
            Item item = items[random.Next(items.Count)];
            item.Deadline = random.Next(4) == 0 ? Instant.MaxValue : new Instant(random.Next(1_000_000));
            heap.Update(item);
        }

        var expected = items.Where(i => i.Deadline != Instant.MaxValue).Select(i => i.Deadline).Order().ToList();
        Assert.Equal(expected.Count, heap.Count);
        var popped = new List<Instant>();
        while (heap.Count > 0)
        {
            Item top = heap.Peek();
            Assert.Equal(heap.Earliest, top.Deadline);
            popped.Add(top.Deadline);
            heap.Remove(top);
            Assert.Equal(-1, top.HeapIndex);
        }

        Assert.Equal(expected, popped);
        Assert.Equal(Instant.MaxValue, heap.Earliest);
    }

    [Fact]
    public void Removing_an_item_not_in_the_heap_is_harmless()
    {
        var heap = new DeadlineHeap<Item>();
        var a = new Item(5);
        heap.Remove(a);
        heap.Update(a);
        heap.Remove(a);
        heap.Remove(a);
        Assert.Equal(0, heap.Count);
    }
}
