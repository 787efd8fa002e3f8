using TinyStack.Time;

namespace TinyStack.Tcp;

/// <summary>
/// An indexed binary min-heap of items ordered by deadline. Each item knows its slot, so a
/// changed deadline is fixed in O(log n) and the earliest deadline is read in O(1): the TCP
/// layer's <c>NextDeadline</c> and <c>Poll</c> cost does not grow with idle connections.
/// </summary>
internal sealed class DeadlineHeap<T>
    where T : class, IDeadlineItem
{
    private T[] _items = new T[16];

    public int Count { get; private set; }

    /// <summary>The earliest deadline, or <see cref="Instant.MaxValue"/> when empty.</summary>
    public Instant Earliest => Count == 0 ? Instant.MaxValue : _items[0].Deadline;

    /// <summary>The item with the earliest deadline; the heap must not be empty.</summary>
    public T Peek() => _items[0];

    /// <summary>
    /// Puts the item in the heap at its current deadline, or re-sorts it if it is already in.
    /// An item whose deadline is <see cref="Instant.MaxValue"/> is taken out instead.
    /// </summary>
    public void Update(T item)
    {
        if (item.Deadline == Instant.MaxValue)
        {
            Remove(item);
            return;
        }

        int index = item.HeapIndex;
        if (index < 0)
        {
            if (Count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
            }

            index = Count++;
            _items[index] = item;
            item.HeapIndex = index;
            SiftUp(index);
            return;
        }

        if (!SiftUp(index))
        {
            SiftDown(index);
        }
    }

    public void Remove(T item)
    {
        int index = item.HeapIndex;
        if (index < 0)
        {
            return;
        }

        item.HeapIndex = -1;
        Count--;
        if (index == Count)
        {
            _items[Count] = null!;
            return;
        }

        T last = _items[Count];
        _items[Count] = null!;
        _items[index] = last;
        last.HeapIndex = index;
        if (!SiftUp(index))
        {
            SiftDown(index);
        }
    }

    private bool SiftUp(int index)
    {
        T item = _items[index];
        int start = index;
        while (index > 0)
        {
            int parent = (index - 1) / 2;
            if (_items[parent].Deadline <= item.Deadline)
            {
                break;
            }

            _items[index] = _items[parent];
            _items[index].HeapIndex = index;
            index = parent;
        }

        _items[index] = item;
        item.HeapIndex = index;
        return index != start;
    }

    private void SiftDown(int index)
    {
        T item = _items[index];
        while (true)
        {
            int child = (2 * index) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && _items[child + 1].Deadline < _items[child].Deadline)
            {
                child++;
            }

            if (item.Deadline <= _items[child].Deadline)
            {
                break;
            }

            _items[index] = _items[child];
            _items[index].HeapIndex = index;
            index = child;
        }

        _items[index] = item;
        item.HeapIndex = index;
    }
}
