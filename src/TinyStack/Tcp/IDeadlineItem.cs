using TinyStack.Time;

namespace TinyStack.Tcp;

/// <summary>Something that sits in a <see cref="DeadlineHeap{T}"/>: its deadline and its slot.</summary>
internal interface IDeadlineItem
{
    /// <summary>When the item is due; read by the heap only while the item is in it.</summary>
    Instant Deadline { get; }

    /// <summary>The item's slot in the heap, -1 when not in it. Owned by the heap.</summary>
    int HeapIndex { get; set; }
}
