namespace TinyStack.Host.Links;

/// <summary>
/// A bounded single-producer single-consumer queue of frames in one preallocated array: slot i
/// holds a frame of up to <see cref="SlotSize"/> bytes. The producer only moves the tail and the
/// consumer only moves the head, so the two may run on different threads without a lock.
/// </summary>
internal sealed class FrameRing
{
    private readonly byte[] _storage;
    private readonly int[] _lengths;
    private readonly int _capacity;

    // Monotonic counters; slot = counter % capacity. Written by one side each, read by both.
    private long _head;
    private long _tail;

    public FrameRing(int capacity, int slotSize)
    {
        _capacity = capacity;
        SlotSize = slotSize;
        _storage = new byte[checked(capacity * slotSize)];
        _lengths = new int[capacity];
    }

    public int SlotSize { get; }

    public int Capacity => _capacity;

    /// <summary>Frames waiting. Exact on the consumer's thread; a snapshot elsewhere.</summary>
    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    /// <summary>Producer side: copies the frame into the next slot, or returns false when full.</summary>
    public bool TryWrite(ReadOnlySpan<byte> frame)
    {
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _capacity)
        {
            return false;
        }

        int slot = (int)(tail % _capacity);
        frame.CopyTo(_storage.AsSpan(slot * SlotSize, SlotSize));
        _lengths[slot] = frame.Length;

        // Release: the copy above is visible before the consumer sees the new tail.
        Volatile.Write(ref _tail, tail + 1);
        return true;
    }

    /// <summary>Length of the oldest frame, or 0 when empty. Consumer side.</summary>
    public int PeekLength()
    {
        long head = _head;
        return head == Volatile.Read(ref _tail) ? 0 : _lengths[(int)(head % _capacity)];
    }

    /// <summary>Consumer side: copies the oldest frame into <paramref name="destination"/> and frees its slot.</summary>
    public int Read(Span<byte> destination)
    {
        long head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            return 0;
        }

        int slot = (int)(head % _capacity);
        int length = _lengths[slot];
        _storage.AsSpan(slot * SlotSize, length).CopyTo(destination);
        Volatile.Write(ref _head, head + 1);
        return length;
    }
}
