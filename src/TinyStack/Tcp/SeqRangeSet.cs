using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// A small sorted set of disjoint sequence ranges [Left, Right), bounded in count: the receiver's
/// out-of-order map (what lies in the receive ring beyond RCV.NXT) and the sender's SACK
/// scoreboard (RFC 6675 §3). The array is allocated on first use and never grows, so a
/// connection without loss holds none and the steady state allocates nothing.
/// </summary>
internal sealed class SeqRangeSet
{
    private readonly int _capacity;
    private SackBlock[]? _ranges;

    public SeqRangeSet(int capacity) => _capacity = capacity;

    public int Count { get; private set; }

    public bool IsEmpty => Count == 0;

    public SackBlock this[int index] => _ranges![index];

    /// <summary>The highest Right edge, only meaningful when not empty.</summary>
    public SeqNumber Highest => _ranges![Count - 1].Right;

    /// <summary>The lowest Left edge, only meaningful when not empty.</summary>
    public SeqNumber Lowest => _ranges![0].Left;

    /// <summary>
    /// Adds [left, right), merging with overlapping and adjacent ranges. Returns the bytes that were
    /// not covered before, or -1 when the range would need a slot beyond the capacity (the set is
    /// then unchanged).
    /// </summary>
    public int Add(SeqNumber left, SeqNumber right)
    {
        if (right <= left)
        {
            return 0;
        }

        _ranges ??= new SackBlock[_capacity];
        int newBytes = (right - left) - Covered(left, right);

        // First range that ends at or after left (could merge), and first that starts after right.
        int first = 0;
        while (first < Count && _ranges[first].Right < left)
        {
            first++;
        }

        int last = first;
        while (last < Count && _ranges[last].Left <= right)
        {
            last++;
        }

        // Ranges [first, last) touch the new one and merge into it.
        int merging = last - first;
        if (merging == 0)
        {
            if (Count == _capacity)
            {
                return -1;
            }

            Array.Copy(_ranges, first, _ranges, first + 1, Count - first);
            _ranges[first] = new SackBlock(left, right);
            Count++;
            return newBytes;
        }

        SeqNumber mergedLeft = SeqNumber.Min(left, _ranges[first].Left);
        SeqNumber mergedRight = SeqNumber.Max(right, _ranges[last - 1].Right);
        _ranges[first] = new SackBlock(mergedLeft, mergedRight);
        if (merging > 1)
        {
            Array.Copy(_ranges, last, _ranges, first + 1, Count - last);
            Count -= merging - 1;
        }

        return newBytes;
    }

    /// <summary>Forgets everything below <paramref name="edge"/> (trimming a range that straddles it).</summary>
    public void RemoveBelow(SeqNumber edge)
    {
        if (Count == 0)
        {
            return;
        }

        SackBlock[] ranges = _ranges!;
        int drop = 0;
        while (drop < Count && ranges[drop].Right <= edge)
        {
            drop++;
        }

        if (drop > 0)
        {
            Array.Copy(ranges, drop, ranges, 0, Count - drop);
            Count -= drop;
        }

        if (Count > 0 && ranges[0].Left < edge)
        {
            ranges[0] = new SackBlock(edge, ranges[0].Right);
        }
    }

    /// <summary>Bytes of [from, to) covered by the set.</summary>
    public int Covered(SeqNumber from, SeqNumber to)
    {
        int covered = 0;
        for (int i = 0; i < Count; i++)
        {
            SackBlock range = _ranges![i];
            SeqNumber left = SeqNumber.Max(range.Left, from);
            SeqNumber right = SeqNumber.Min(range.Right, to);
            if (right > left)
            {
                covered += right - left;
            }
        }

        return covered;
    }

    /// <summary>The range containing <paramref name="seq"/>, if any.</summary>
    public bool TryFind(SeqNumber seq, out SackBlock range)
    {
        for (int i = 0; i < Count; i++)
        {
            SackBlock candidate = _ranges![i];
            if (candidate.Left <= seq && seq < candidate.Right)
            {
                range = candidate;
                return true;
            }
        }

        range = default;
        return false;
    }

    public void Clear() => Count = 0;
}
