using TinyStack.Time;

namespace TinyStack.Tcp.Tracing;

/// <summary>
/// A bounded in-memory time series of one connection's congestion state: a ring of
/// <see cref="TcpTraceSample"/> values allocated once. Recording copies a struct into the ring
/// and allocates nothing; when the ring is full the oldest rows are overwritten and counted in
/// <see cref="Overwritten"/>. Export with <see cref="TcpTraceCsv"/>.
/// </summary>
public sealed class TcpTrace
{
    /// <summary>Rows a ring holds when no size is given: 64 Ki rows, about 5 MiB.</summary>
    public const int DefaultCapacity = 64 * 1024;

    /// <summary>Largest ring a setting may ask for (16 Mi rows).</summary>
    public const int MaxCapacity = 1 << 24;

    private readonly TcpTraceSample[] _samples;
    private int _next;

    public TcpTrace(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _samples = new TcpTraceSample[capacity];
    }

    /// <summary>Rows the ring can hold.</summary>
    public int Capacity => _samples.Length;

    /// <summary>Rows held now (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }

    /// <summary>Rows recorded since creation, overwritten ones included.</summary>
    public long Recorded { get; private set; }

    /// <summary>Rows lost to the ring's bound (the oldest ones).</summary>
    public long Overwritten => Recorded - Count;

    /// <summary>Time of the newest row (<see cref="Instant.Zero"/> while empty).</summary>
    public Instant LastTime { get; private set; }

    /// <summary>What the trace is of (the connection and algorithm), for file names and titles.</summary>
    public string? Label { get; set; }

    /// <summary>The <paramref name="index"/>-th held row, oldest first.</summary>
    public TcpTraceSample this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            int start = Count < _samples.Length ? 0 : _next;
            int slot = start + index;
            return _samples[slot >= _samples.Length ? slot - _samples.Length : slot];
        }
    }

    /// <summary>Appends a row, overwriting the oldest when full. Allocates nothing.</summary>
    public void Record(in TcpTraceSample sample)
    {
        _samples[_next] = sample;
        _next = _next + 1 == _samples.Length ? 0 : _next + 1;
        if (Count < _samples.Length)
        {
            Count++;
        }

        Recorded++;
        if (sample.Time > LastTime)
        {
            LastTime = sample.Time;
        }
    }

    /// <summary>A copy of the held rows, oldest first (e.g. to write them on another thread).</summary>
    public TcpTraceSample[] ToArray()
    {
        var rows = new TcpTraceSample[Count];
        int start = Count < _samples.Length ? 0 : _next;
        int first = Math.Min(Count, _samples.Length - start);
        Array.Copy(_samples, start, rows, 0, first);
        Array.Copy(_samples, 0, rows, first, Count - first);
        return rows;
    }

    /// <summary>Forgets every row (the ring stays allocated).</summary>
    public void Clear()
    {
        _next = 0;
        Count = 0;
        Recorded = 0;
        LastTime = Instant.Zero;
    }
}
