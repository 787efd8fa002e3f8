using TinyStack.Time;

namespace TinyStack.Tcp.Recovery;

/// <summary>
/// The segments in flight, in sequence order, for RACK (RFC 8985): a ring that grows by doubling
/// and never shrinks, so a steady flow records its sends without allocating. It also keeps the
/// bytes deemed lost and not yet retransmitted, which RFC 6675's pipe leaves out.
/// </summary>
internal sealed class SentSegmentLog
{
    private SentSegment[] _items = [];
    private int _head;

    public int Count { get; private set; }

    /// <summary>Bytes of segments marked lost and neither retransmitted since nor delivered.</summary>
    public int LostBytes { get; private set; }

    /// <summary>The <paramref name="index"/>-th segment from the oldest.</summary>
    public ref readonly SentSegment this[int index] => ref Slot(index);

    /// <summary>A first transmission of [start, end) at <paramref name="now"/>.</summary>
    public void Append(SeqNumber start, SeqNumber end, Instant now)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        Count++;
        Slot(Count - 1) = new SentSegment { Start = start, End = end, XmitTime = now };
    }

    /// <summary>The segment was sent again at <paramref name="now"/>: it is in flight once more.</summary>
    public void MarkRetransmitted(int index, Instant now)
    {
        ref SentSegment segment = ref Slot(index);
        Unlose(ref segment);
        segment.XmitTime = now;
        segment.Retransmitted = true;
    }

    /// <summary>The segment is deemed lost (unless it was delivered, or is already).</summary>
    public void MarkLost(int index)
    {
        ref SentSegment segment = ref Slot(index);
        if (!segment.Delivered && !segment.Lost)
        {
            segment.Lost = true;
            LostBytes += segment.Length;
        }
    }

    /// <summary>The segment was SACKed.</summary>
    public void MarkDelivered(int index)
    {
        ref SentSegment segment = ref Slot(index);
        Unlose(ref segment);
        segment.Delivered = true;
    }

    /// <summary>
    /// After a retransmission timeout: every segment not delivered is lost, and with
    /// <paramref name="forgetDelivered"/> (the SACK scoreboard was dropped) the delivered ones too.
    /// </summary>
    public void MarkAllLost(bool forgetDelivered)
    {
        for (int i = 0; i < Count; i++)
        {
            if (forgetDelivered)
            {
                Slot(i).Delivered = false;
            }

            MarkLost(i);
        }
    }

    /// <summary>
    /// Splits the segment that contains <paramref name="seq"/> (not at its start) in two, so that a
    /// retransmission of part of it (after the MSS shrank) is recorded exactly.
    /// </summary>
    public void SplitAt(SeqNumber seq)
    {
        int index = FirstEndingAfter(seq);
        if (index == Count || Slot(index).Start >= seq)
        {
            return;
        }

        if (Count == _items.Length)
        {
            Grow();
        }

        // Shift the later segments up by one; rare (only when a retransmission is shorter).
        Count++;
        for (int i = Count - 1; i > index + 1; i--)
        {
            Slot(i) = Slot(i - 1);
        }

        SentSegment whole = Slot(index);
        SentSegment first = whole;
        first.End = seq;
        SentSegment second = whole;
        second.Start = seq;
        Slot(index) = first;
        Slot(index + 1) = second;
    }

    /// <summary>Forgets what the cumulative ACK covers; a segment acknowledged in part keeps its rest.</summary>
    public void RemoveBelow(SeqNumber ack)
    {
        while (Count > 0 && Slot(0).End <= ack)
        {
            Unlose(ref Slot(0));
            _head = (_head + 1) & (_items.Length - 1);
            Count--;
        }

        if (Count > 0 && Slot(0).Start < ack)
        {
            ref SentSegment first = ref Slot(0);
            if (first.Lost)
            {
                LostBytes -= ack - first.Start;
            }

            first.Start = ack;
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
            if (Slot(mid).End <= seq)
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
        LostBytes = 0;
    }

    private ref SentSegment Slot(int index) => ref _items[(_head + index) & (_items.Length - 1)];

    private void Unlose(ref SentSegment segment)
    {
        if (segment.Lost)
        {
            segment.Lost = false;
            LostBytes -= segment.Length;
        }
    }

    private void Grow()
    {
        var larger = new SentSegment[Math.Max(16, _items.Length * 2)];
        for (int i = 0; i < Count; i++)
        {
            larger[i] = Slot(i);
        }

        _items = larger;
        _head = 0;
    }
}
