namespace TinyStack;

/// <summary>
/// What the stack has seen and done: one counter per <see cref="StatCounter"/> and one per
/// <see cref="DropReason"/>. Counting is an array increment, so it costs nothing on the hot path.
/// Like the rest of the stack it belongs to the stack's thread; other threads read a snapshot.
/// </summary>
public sealed class Stats
{
    private static readonly string[] s_counterNames = Enum.GetNames<StatCounter>();

    private readonly long[] _counters = new long[s_counterNames.Length];

    // DropReason is a byte, so 256 slots cover every value present and future.
    private readonly long[] _drops = new long[256];

    public long this[StatCounter counter] => _counters[(int)counter];

    public long this[DropReason reason] => _drops[(byte)reason];

    /// <summary>
    /// Sum of every drop counter: frames and datagrams discarded for any reason.
    /// <see cref="DropReason.Ipv4FragmentQueued"/> is a verdict but not a loss, so it is left out.
    /// </summary>
    public long TotalDrops
    {
        get
        {
            long sum = 0;
            for (int i = 1; i < _drops.Length; i++)
            {
                sum += _drops[i];
            }

            return sum - _drops[(byte)DropReason.Ipv4FragmentQueued];
        }
    }

    /// <summary>
    /// Every nonzero counter with its name, events first, then drops as <c>drop.Reason</c>.
    /// For summaries; allocates.
    /// </summary>
    public IReadOnlyList<(string Name, long Value)> NonZeroCounters()
    {
        var result = new List<(string Name, long Value)>();
        for (int i = 0; i < _counters.Length; i++)
        {
            if (_counters[i] != 0)
            {
                result.Add((s_counterNames[i], _counters[i]));
            }
        }

        for (int i = 1; i < _drops.Length; i++)
        {
            if (_drops[i] != 0)
            {
                result.Add(("drop." + ((DropReason)i).ToString(), _drops[i]));
            }
        }

        return result;
    }

    public override string ToString() => string.Join(", ", NonZeroCounters().Select(c => $"{c.Name}={c.Value}"));

    internal void Increment(StatCounter counter) => _counters[(int)counter]++;

    internal void Add(StatCounter counter, long amount) => _counters[(int)counter] += amount;

    /// <summary>Counts one drop. <see cref="DropReason.Accepted"/> is not a drop and is ignored.</summary>
    internal void Count(DropReason reason)
    {
        if (reason != DropReason.Accepted)
        {
            _drops[(byte)reason]++;
        }
    }
}
