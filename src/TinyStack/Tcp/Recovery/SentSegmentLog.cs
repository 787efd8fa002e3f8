using TinyStack.Time;

namespace TinyStack.Tcp.Recovery;

/// <summary>
/// The segments in flight, in sequence order, for RACK (RFC 8985): a ring that grows by doubling
/// and never shrinks, so a steady flow records its sends without allocating.
/// </summary>
internal sealed class SentSegmentLog
{
    private SentSegment[] _items = [];
    private int _head;

    public int Count { get; private set; }

    /// <summary>The <paramref name="index"/>-th segment from the oldest, by reference.</summary>
    public ref SentSegment this[int index] => ref _items[(_head + index) & (_items.Length - 1)];

    /// <summary>A first transmission of [start, end) at <paramref name="now"/>.</summary>
    public void Append(SeqNumber start, SeqNumber end, Instant now)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        ref SentSegment slot = ref _items[(_head + Count) & (_items.Length - 1)];
        slot = new SentSegment { Start = start, End = end, XmitTime = now };
        Count++;
    }

    /// <summary>Forgets what the cumulative ACK covers; a segment acknowledged in part keeps its rest.</summary>
    public void RemoveBelow(SeqNumber ack)
    {
        while (Count > 0 && this[0].End <= ack)
        {
            _head = (_head + 1) & (_items.Length - 1);
            Count--;
        }

        if (Count > 0 && this[0].Start < ack)
        {
            this[0].Start = ack;
        }
    }

    /// <summary>The index of the first segment that ends after <paramref name="seq"/> (Count if none).</summary>
    public int FirstEndingAfter(SeqNumber seq)
    {
        int low = 0;
        int high = Count;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (this[mid].End <= seq)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    public void Clear()
    {
        _head = 0;
        Count = 0;
    }

    private void Grow()
    {
        var larger = new SentSegment[Math.Max(16, _items.Length * 2)];
        for (int i = 0; i < Count; i++)
        {
            larger[i] = this[i];
        }

        _items = larger;
        _head = 0;
    }
}
