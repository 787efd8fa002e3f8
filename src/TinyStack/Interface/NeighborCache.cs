using System.Diagnostics.CodeAnalysis;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>
/// The ARP cache (RFC 826's "translation table"): IPv4 address to hardware address, with a
/// capacity, per-entry timers and per-entry queues of datagrams waiting for resolution. It stores
/// and expires; <see cref="NetInterface"/> decides what to send.
/// </summary>
internal sealed class NeighborCache
{
    private readonly Dictionary<Ipv4Address, NeighborEntry> _entries = [];
    private readonly int _capacity;
    private readonly Duration _lifetime;
    private readonly Duration _staleLifetime;

    // The earliest entry deadline, recomputed by a scan only after an entry's timers changed:
    // lookups on the hot path leave it alone, and changes (ARP traffic) are rare.
    private Instant _nextDeadline = Instant.MaxValue;
    private bool _deadlineStale;

    public NeighborCache(int capacity, Duration lifetime, Duration staleLifetime)
    {
        _capacity = capacity;
        _lifetime = lifetime;
        _staleLifetime = staleLifetime;
    }

    public int Count => _entries.Count;

    public Duration Lifetime => _lifetime;

    /// <summary>When some entry next needs a request sent, gives up, or is removed.</summary>
    public Instant NextDeadline
    {
        get
        {
            if (_deadlineStale)
            {
                _nextDeadline = Instant.MaxValue;
                foreach (NeighborEntry entry in _entries.Values)
                {
                    _nextDeadline = Instant.Min(_nextDeadline, entry.Deadline(_lifetime, _staleLifetime));
                }

                _deadlineStale = false;
            }

            return _nextDeadline;
        }
    }

    public bool TryGet(Ipv4Address address, [NotNullWhen(true)] out NeighborEntry? entry) => _entries.TryGetValue(address, out entry);

    /// <summary>
    /// Adds an entry for <paramref name="address"/>, evicting the least recently confirmed
    /// resolved entry if the cache is full. Entries still resolving are never evicted (they hold
    /// queued datagrams and a request in flight), so when every entry is resolving there is no
    /// room and this returns null.
    /// </summary>
    public NeighborEntry? TryAdd(Ipv4Address address, NeighborState state, MacAddress mac, Instant now)
    {
        if (_entries.Count >= _capacity)
        {
            NeighborEntry? victim = null;
            foreach (NeighborEntry candidate in _entries.Values)
            {
                if (candidate.State != NeighborState.Incomplete && (victim is null || candidate.ConfirmedAt < victim.ConfirmedAt))
                {
                    victim = candidate;
                }
            }

            if (victim is null)
            {
                return null;
            }

            _entries.Remove(victim.Address);
        }

        var entry = new NeighborEntry(address) { State = state, Mac = mac, ConfirmedAt = now, NextRequestAt = now };
        _entries.Add(address, entry);
        _deadlineStale = true;
        return entry;
    }

    public void Remove(NeighborEntry entry)
    {
        _entries.Remove(entry.Address);
        _deadlineStale = true;
    }

    /// <summary>Call after changing an entry's state or timers so <see cref="NextDeadline"/> is recomputed.</summary>
    public void TimersChanged() => _deadlineStale = true;

    /// <summary>Finds an entry whose deadline has passed, if any (Poll calls this until none is left).</summary>
    public bool TryFindDue(Instant now, [NotNullWhen(true)] out NeighborEntry? due)
    {
        if (NextDeadline > now)
        {
            due = null;
            return false;
        }

        foreach (NeighborEntry entry in _entries.Values)
        {
            if (entry.Deadline(_lifetime, _staleLifetime) <= now)
            {
                due = entry;
                return true;
            }
        }

        // Only reachable if the cached deadline was out of date; it is recomputed next time.
        _deadlineStale = true;
        due = null;
        return false;
    }
}
