using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>
/// Puts fragmented datagrams back together (RFC 791 §3.2, "Fragmentation and Reassembly").
/// <para>
/// RFC 815 keeps a list of the holes still to fill. We refuse overlapping fragments outright (as
/// RFC 5722 does for IPv6 and Linux does for IPv4 since 4.19: overlaps are how fragment attacks
/// smuggle different bytes past a filter), so the holes are exactly the gaps between the
/// fragments received: we keep those sorted, and the datagram is complete when the bytes
/// received equal the length the last fragment announced.
/// </para>
/// <para>
/// Hard limits, none of which a sender can push past: <see cref="StackOptions.ReassemblyMaxDatagrams"/>
/// datagrams at once, <see cref="StackOptions.ReassemblyMemoryLimit"/> bytes in all, and
/// <see cref="StackOptions.ReassemblyTimeout"/> from a datagram's first fragment (Linux ipfrag_time).
/// </para>
/// </summary>
internal sealed class Ipv4Reassembler
{
    private readonly List<ReassemblySlot> _slots = [];
    private readonly int _maxDatagrams;
    private readonly int _memoryLimit;
    private readonly Duration _timeout;

    public Ipv4Reassembler(int maxDatagrams, int memoryLimit, Duration timeout)
    {
        _maxDatagrams = maxDatagrams;
        _memoryLimit = memoryLimit;
        _timeout = timeout;
    }

    /// <summary>Datagrams waiting for fragments.</summary>
    public int ActiveCount { get; private set; }

    /// <summary>Bytes held by all slots, including completed ones not yet released.</summary>
    public int MemoryUsed { get; private set; }

    /// <summary>When the oldest incomplete datagram times out.</summary>
    public Instant NextDeadline
    {
        get
        {
            if (ActiveCount == 0)
            {
                return Instant.MaxValue;
            }

            Instant next = Instant.MaxValue;
            foreach (ReassemblySlot slot in _slots)
            {
                if (slot.InUse && !slot.Taken)
                {
                    next = Instant.Min(next, slot.ExpiresAt);
                }
            }

            return next;
        }
    }

    /// <summary>
    /// Adds one fragment. Returns <see cref="DropReason.Accepted"/> with <paramref name="complete"/>
    /// set when this fragment completed its datagram (the caller delivers it, then calls
    /// <see cref="Release"/>); <see cref="DropReason.Ipv4FragmentQueued"/> when more are needed;
    /// otherwise why the fragment (and for overlaps and contradictions, its whole datagram) was dropped.
    /// </summary>
    public DropReason Add(in Ipv4Packet fragment, bool linkBroadcast, Instant now, out ReassemblySlot? complete)
    {
        complete = null;
        ReadOnlySpan<byte> payload = fragment.Payload;
        int offset = fragment.FragmentOffset;
        int end = offset + payload.Length;
        bool more = fragment.MoreFragments;

        // RFC 791: every fragment but the last carries a multiple of 8 bytes (offsets count
        // 8-byte units); an empty fragment carries nothing and can only be noise or an attack.
        if (payload.Length == 0 || (more && (payload.Length % 8) != 0))
        {
            return DropReason.Ipv4FragmentInvalid;
        }

        ReassemblySlot? slot = Find(fragment.Source, fragment.Destination, fragment.Protocol, fragment.Identification);

        // The whole datagram must fit a 16-bit Total Length: the "ping of death" sends a last
        // fragment at offset 65528 to overflow reassembly buffers.
        if (fragment.HeaderLength + end > ushort.MaxValue)
        {
            Discard(slot);
            return DropReason.Ipv4FragmentInvalid;
        }

        if (slot is null)
        {
            if (ActiveCount >= _maxDatagrams)
            {
                return DropReason.Ipv4ReassemblyLimit;
            }

            slot = Allocate();
            slot.Start(fragment.Source, fragment.Destination, fragment.Protocol, fragment.Identification, now + _timeout);
            ActiveCount++;
        }

        // Fragments must agree on where the datagram ends (Linux: "corrupted" queue).
        if (!more)
        {
            bool endDisagrees = slot.PayloadLength >= 0 && slot.PayloadLength != end;
            bool dataBeyondEnd = slot.RangeCount > 0 && slot.RangeAt(slot.RangeCount - 1).End > end;
            if (endDisagrees || dataBeyondEnd)
            {
                Discard(slot);
                return DropReason.Ipv4FragmentInvalid;
            }
        }
        else if (slot.PayloadLength >= 0 && end > slot.PayloadLength)
        {
            Discard(slot);
            return DropReason.Ipv4FragmentInvalid;
        }

        int index = slot.LowerBound(offset);
        if (index < slot.RangeCount && slot.RangeAt(index).Start == offset && slot.RangeAt(index).End == end)
        {
            // A link or a retransmitting sender duplicated it: harmless, keep what we have.
            return DropReason.Ipv4FragmentDuplicate;
        }

        bool overlapsPrevious = index > 0 && slot.RangeAt(index - 1).End > offset;
        bool overlapsNext = index < slot.RangeCount && slot.RangeAt(index).Start < end;
        if (overlapsPrevious || overlapsNext)
        {
            Discard(slot);
            return DropReason.Ipv4ReassemblyOverlap;
        }

        int newCost = slot.CostAfterGrowing(end);
        if (MemoryUsed - slot.MemoryCost + newCost > _memoryLimit)
        {
            // Dropping only this fragment would leave a datagram that can never complete holding
            // memory until it times out; free it now.
            Discard(slot);
            return DropReason.Ipv4ReassemblyLimit;
        }

        MemoryUsed -= slot.MemoryCost;
        slot.Insert(index, offset, payload);
        MemoryUsed += slot.MemoryCost;
        slot.LinkBroadcast |= linkBroadcast;
        if (offset == 0)
        {
            slot.SetFirstHeader(fragment.Header);
        }

        if (!more)
        {
            slot.PayloadLength = end;
        }

        if (!slot.IsComplete)
        {
            return DropReason.Ipv4FragmentQueued;
        }

        // Checked again with the first fragment's header length, which may differ from this one's.
        if (slot.HeaderLength + slot.PayloadLength > ushort.MaxValue)
        {
            Discard(slot);
            return DropReason.Ipv4FragmentInvalid;
        }

        slot.FinishHeader();
        slot.Taken = true;
        ActiveCount--;
        complete = slot;
        return DropReason.Accepted;
    }

    /// <summary>
    /// Takes one incomplete datagram whose timer has expired. The caller may quote its first
    /// fragment in an ICMP time-exceeded message, then must <see cref="Release"/> it.
    /// </summary>
    public bool TryTakeExpired(Instant now, out ReassemblySlot? expired)
    {
        foreach (ReassemblySlot slot in _slots)
        {
            if (slot.InUse && !slot.Taken && slot.ExpiresAt <= now)
            {
                slot.Taken = true;
                ActiveCount--;
                expired = slot;
                return true;
            }
        }

        expired = null;
        return false;
    }

    /// <summary>Frees a slot returned by <see cref="Add"/> or <see cref="TryTakeExpired"/>.</summary>
    public void Release(ReassemblySlot slot)
    {
        MemoryUsed -= slot.MemoryCost;
        slot.Clear();
    }

    private ReassemblySlot? Find(Ipv4Address source, Ipv4Address destination, byte protocol, ushort identification)
    {
        if (ActiveCount == 0)
        {
            return null;
        }

        foreach (ReassemblySlot slot in _slots)
        {
            if (slot.Matches(source, destination, protocol, identification))
            {
                return slot;
            }
        }

        return null;
    }

    private ReassemblySlot Allocate()
    {
        foreach (ReassemblySlot slot in _slots)
        {
            if (!slot.InUse)
            {
                return slot;
            }
        }

        var created = new ReassemblySlot();
        _slots.Add(created);
        return created;
    }

    private void Discard(ReassemblySlot? slot)
    {
        if (slot is null)
        {
            return;
        }

        if (!slot.Taken)
        {
            ActiveCount--;
        }

        Release(slot);
    }
}
