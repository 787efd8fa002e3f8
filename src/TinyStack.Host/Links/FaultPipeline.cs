using TinyStack.Time;

namespace TinyStack.Host.Links;

/// <summary>
/// The faults of one direction of a <see cref="FaultInjectingLink"/>. A frame that enters at
/// <c>now</c> goes through, in order: random drop; one-bit corruption; the bottleneck (a FIFO
/// serialized at the configured rate, drop-tail when full); the fixed delay; then either the
/// in-flight queue (plus a duplicate, at random) or the single reorder slot. Everything runs on the
/// <see cref="Instant"/>s passed in: nothing sleeps, and <see cref="NextDeadline"/> says when the
/// next frame comes due.
/// </summary>
internal sealed class FaultPipeline
{
    /// <summary>Safety bound on frames in flight (delay x rate can otherwise grow without limit).</summary>
    public const int MaxFramesInFlight = 65536;

    private const long MicrosecondsPerSecond = 1_000_000;
    private const int InitialCapacity = 64;

    private readonly FaultOptions _options;
    private readonly Pcg32 _random;
    private readonly FaultCounters _counters;
    private readonly int _slotSize;

    // Frames in flight, oldest first; their due times never decrease (departures are FIFO and the
    // delay is fixed), so the head is always the next to come due. Slot buffers are allocated on
    // first use and then reused.
    private byte[]?[] _slots = new byte[InitialCapacity][];
    private int[] _lengths = new int[InitialCapacity];
    private Instant[] _due = new Instant[InitialCapacity];
    private TxNote[] _notes = new TxNote[InitialCapacity];
    private int _head;
    private int _count;

    // The bottleneck: departure times of the frames still queued or being serialized, oldest first.
    private readonly Instant[] _departures;
    private int _departureHead;
    private int _departureCount;
    private Instant _linkFreeAt;

    // Serialization time is bits * 1e6 / rate microseconds; the remainder of that division is
    // carried to the next frame so that back-to-back frames add up exactly, with no drift.
    private long _serializationCarry;

    // The reorder slot: one frame held back until its successor has been delivered.
    private byte[]? _held;
    private int _heldLength;
    private TxNote _heldNote;
    private Instant _heldUntil;
    private bool _hasHeld;
    private bool _releaseHeldNext;

    // Which frame PeekDue returned, so Pop removes the same one.
    private bool _peekedHeld;

    public FaultPipeline(FaultOptions options, ulong stream, int slotSize, FaultCounters counters)
    {
        _options = options;
        _random = new Pcg32(options.Seed, stream);
        _slotSize = slotSize;
        _counters = counters;
        _departures = options.RateBitsPerSecond > 0 ? new Instant[options.QueueLimitFrames] : [];
    }

    /// <summary>Frames in flight (queue plus reorder slot).</summary>
    public int Count => _count + (_hasHeld ? 1 : 0);

    /// <summary>When the next frame comes due; <see cref="Instant.Zero"/> when one is due already.</summary>
    public Instant NextDeadline
    {
        get
        {
            if (_hasHeld && _releaseHeldNext)
            {
                return Instant.Zero;
            }

            Instant next = _count > 0 ? _due[_head] : Instant.MaxValue;
            return _hasHeld ? Instant.Min(next, _heldUntil) : next;
        }
    }

    /// <summary>Takes a frame in at <paramref name="now"/>; it comes out of <see cref="PeekDue"/> when due.</summary>
    public void Enqueue(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        _counters.Frames++;

        // Draw the same five numbers for every frame, whatever is enabled, so that one fault's
        // decisions do not shift when another fault's rate changes.
        double dropDraw = _random.NextDouble();
        double corruptDraw = _random.NextDouble();
        uint bitDraw = _random.NextUInt32();
        double duplicateDraw = _random.NextDouble();
        double reorderDraw = _random.NextDouble();

        if (dropDraw < _options.DropRate)
        {
            _counters.Dropped++;
            return;
        }

        Instant departure = now;
        if (_options.RateBitsPerSecond > 0 && !TryPassBottleneck(frame.Length, now, out departure))
        {
            _counters.QueueDrops++;
            return;
        }

        Instant due = departure + _options.Delay;
        bool corrupt = corruptDraw < _options.CorruptRate && frame.Length > 0;
        bool duplicate = duplicateDraw < _options.DuplicateRate;
        bool reorder = reorderDraw < _options.ReorderRate && !_hasHeld;
        int needed = (reorder ? 0 : 1) + (duplicate ? 1 : 0);
        if (_count + needed > MaxFramesInFlight)
        {
            _counters.OverflowDrops++;
            return;
        }

        Span<byte> copy;
        if (reorder)
        {
            _held = EnsureBuffer(_held, frame.Length);
            copy = _held.AsSpan(0, frame.Length);
            _heldLength = frame.Length;
            _heldNote = note;
            _heldUntil = due + _options.ReorderHold;
            _hasHeld = true;
            _releaseHeldNext = false;
            _counters.Reordered++;
        }
        else
        {
            copy = Push(frame.Length, note, due);
        }

        frame.CopyTo(copy);
        if (corrupt)
        {
            int bit = Pcg32.Scale(bitDraw, frame.Length * 8);
            copy[bit >> 3] ^= (byte)(1 << (bit & 7));
            _counters.Corrupted++;
        }

        if (duplicate)
        {
            // The copy is taken after corruption: a duplicate repeats what was on the wire.
            ReadOnlySpan<byte> original = reorder ? _held.AsSpan(0, frame.Length) : copy;
            original.CopyTo(Push(frame.Length, note, due));
            _counters.Duplicated++;
        }
    }

    /// <summary>
    /// The next frame due at <paramref name="now"/>, or an empty span. The span stays valid until
    /// <see cref="Pop"/> or the next <see cref="Enqueue"/>.
    /// </summary>
    public ReadOnlySpan<byte> PeekDue(Instant now, out TxNote note)
    {
        // A held frame goes right after the frame that overtook it.
        if (_hasHeld && _releaseHeldNext)
        {
            return PeekHeld(out note);
        }

        if (_count > 0 && _due[_head] <= now)
        {
            _peekedHeld = false;
            note = _notes[_head];
            return _slots[_head].AsSpan(0, _lengths[_head]);
        }

        if (_hasHeld && _heldUntil <= now)
        {
            return PeekHeld(out note);
        }

        note = default;
        return [];
    }

    /// <summary>Removes the frame <see cref="PeekDue"/> returned.</summary>
    public void Pop()
    {
        _counters.Delivered++;
        if (_peekedHeld)
        {
            _hasHeld = false;
            _releaseHeldNext = false;
            _peekedHeld = false;
            return;
        }

        _head = (_head + 1) % _slots.Length;
        _count--;
        if (_hasHeld)
        {
            _releaseHeldNext = true;
        }
    }

    private ReadOnlySpan<byte> PeekHeld(out TxNote note)
    {
        _peekedHeld = true;
        note = _heldNote;
        return _held.AsSpan(0, _heldLength);
    }

    /// <summary>
    /// The bottleneck queue: the frame waits for the frames ahead of it, then occupies the link for
    /// its serialization time. Fails (drop-tail) when the queue is full.
    /// </summary>
    private bool TryPassBottleneck(int length, Instant now, out Instant departure)
    {
        // Frames whose last bit left the queue by now are no longer in it.
        while (_departureCount > 0 && _departures[_departureHead] <= now)
        {
            _departureHead = (_departureHead + 1) % _departures.Length;
            _departureCount--;
        }

        if (_departureCount >= _departures.Length)
        {
            departure = default;
            return false;
        }

        Instant start = _linkFreeAt;
        if (now >= _linkFreeAt)
        {
            // The link was idle: transmission starts now and no fractional time is owed.
            start = now;
            _serializationCarry = 0;
        }

        long rate = _options.RateBitsPerSecond;
        Int128 numerator = ((Int128)length * 8 * MicrosecondsPerSecond) + _serializationCarry;
        long microseconds = (long)(numerator / rate);
        _serializationCarry = (long)(numerator % rate);
        departure = start + Duration.FromMicroseconds(microseconds);
        _linkFreeAt = departure;
        _departures[(_departureHead + _departureCount) % _departures.Length] = departure;
        _departureCount++;
        return true;
    }

    private Span<byte> Push(int length, TxNote note, Instant due)
    {
        if (_count == _slots.Length)
        {
            Grow();
        }

        int index = (_head + _count) % _slots.Length;
        byte[] slot = EnsureBuffer(_slots[index], length);
        _slots[index] = slot;
        _lengths[index] = length;
        _due[index] = due;
        _notes[index] = note;
        _count++;
        return slot.AsSpan(0, length);
    }

    private byte[] EnsureBuffer(byte[]? buffer, int length) =>
        buffer is not null && buffer.Length >= length ? buffer : new byte[Math.Max(length, _slotSize)];

    private void Grow()
    {
        int capacity = _slots.Length * 2;
        var slots = new byte[]?[capacity];
        int[] lengths = new int[capacity];
        var due = new Instant[capacity];
        var notes = new TxNote[capacity];
        for (int i = 0; i < _count; i++)
        {
            int from = (_head + i) % _slots.Length;
            slots[i] = _slots[from];
            lengths[i] = _lengths[from];
            due[i] = _due[from];
            notes[i] = _notes[from];
        }

        _slots = slots;
        _lengths = lengths;
        _due = due;
        _notes = notes;
        _head = 0;
    }
}
