using System.Buffers;

namespace TinyStack.Tcp;

/// <summary>
/// A growable ring of bytes addressed by logical offset from its head, the storage of both
/// <see cref="SendBuffer"/> and <see cref="ReceiveBuffer"/>. The array is rented from
/// <see cref="ArrayPool{T}.Shared"/> on first use, doubled as data flows up to
/// <see cref="Limit"/>, and returned when the ring empties, so an idle connection holds no buffer
/// and the steady state allocates nothing.
/// </summary>
internal sealed class ByteRing
{
    private readonly int _initialCapacity;
    private byte[]? _buffer;
    private int _head;
    private int _extent;
    private int _lastCapacity;

    public ByteRing(int limit, int initialCapacity)
    {
        Limit = limit;
        _initialCapacity = Math.Min(initialCapacity, limit);
    }

    /// <summary>Most bytes the ring ever holds.</summary>
    public int Limit { get; }

    /// <summary>Contiguous bytes from the head (the data the owner has committed).</summary>
    public int Count { get; private set; }

    /// <summary>End of the highest byte written, committed or not (out-of-order data lies in [Count, Extent)).</summary>
    public int Extent => _extent;

    /// <summary>Bytes of array currently held (0 when idle).</summary>
    public int Capacity => _buffer?.Length ?? 0;

    /// <summary>Appends as much of <paramref name="data"/> as fits under the limit; returns the bytes taken.</summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        int n = Math.Min(data.Length, Limit - Count);
        if (n <= 0)
        {
            return 0;
        }

        WriteAt(Count, data[..n]);
        Count += n;
        return n;
    }

    /// <summary>Writes <paramref name="data"/> at logical <paramref name="offset"/> (which may leave a gap after <see cref="Count"/>).</summary>
    public void WriteAt(int offset, ReadOnlySpan<byte> data)
    {
        int end = offset + data.Length;
        if (offset < 0 || end > Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Ring write [{offset}, {end}) is outside [0, {Limit}).");
        }

        if (data.IsEmpty)
        {
            return;
        }

        EnsureCapacity(end);
        byte[] buffer = _buffer!;
        int start = Wrap(_head + offset);
        int first = Math.Min(data.Length, buffer.Length - start);
        data[..first].CopyTo(buffer.AsSpan(start));
        data[first..].CopyTo(buffer);
        _extent = Math.Max(_extent, end);
    }

    /// <summary>Marks <paramref name="count"/> bytes after <see cref="Count"/> (already written) as committed.</summary>
    public void Commit(int count)
    {
        if (count < 0 || Count + count > _extent)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Cannot commit {count} bytes: only {_extent - Count} are written past the committed data.");
        }

        Count += count;
    }

    /// <summary>Copies bytes from logical <paramref name="offset"/> into <paramref name="destination"/> (whole span).</summary>
    public void CopyTo(int offset, Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }

        if (offset < 0 || offset + destination.Length > _extent)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Ring read [{offset}, {offset + destination.Length}) is outside the written [0, {_extent}).");
        }

        byte[] buffer = _buffer!;
        int start = Wrap(_head + offset);
        int first = Math.Min(destination.Length, buffer.Length - start);
        buffer.AsSpan(start, first).CopyTo(destination);
        buffer.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
    }

    /// <summary>Drops <paramref name="count"/> committed bytes from the head; returns the array when the ring empties.</summary>
    public void Discard(int count)
    {
        if (count < 0 || count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Cannot discard {count} of {Count} bytes.");
        }

        if (count == 0)
        {
            return;
        }

        Count -= count;
        _extent -= count;
        _head = Wrap(_head + count);
        if (_extent == 0)
        {
            Release();
        }
    }

    /// <summary>Forgets any bytes written past <see cref="Count"/> (uncommitted out-of-order data).</summary>
    public void TruncateExtent()
    {
        _extent = Count;
        if (_extent == 0)
        {
            Release();
        }
    }

    /// <summary>Returns the array to the pool and forgets all content.</summary>
    public void Release()
    {
        if (_buffer is not null)
        {
            _lastCapacity = _buffer.Length;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _head = 0;
        Count = 0;
        _extent = 0;
    }

    private int Wrap(int index) => _buffer is null || index < _buffer.Length ? index : index - _buffer.Length;

    private void EnsureCapacity(int needed)
    {
        int capacity = Capacity;
        if (needed <= capacity)
        {
            return;
        }

        // Start where the ring last grew to (it was released when empty), then double.
        int next = Math.Max(capacity == 0 ? Math.Max(_initialCapacity, _lastCapacity) : capacity * 2, needed);
        next = Math.Min(Math.Max(next, needed), Math.Max(Limit, needed));
        byte[] bigger = ArrayPool<byte>.Shared.Rent(next);
        if (_buffer is not null)
        {
            // Linearise the old content (everything up to the extent) at the start of the new array.
            int start = _head;
            int first = Math.Min(_extent, _buffer.Length - start);
            _buffer.AsSpan(start, first).CopyTo(bigger);
            _buffer.AsSpan(0, _extent - first).CopyTo(bigger.AsSpan(first));
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
        _head = 0;
    }
}
