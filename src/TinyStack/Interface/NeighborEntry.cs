using System.Buffers;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>One neighbour: its IPv4 address, what we know of its hardware address, and its timers.</summary>
internal sealed class NeighborEntry
{
    private Queue<PendingDatagram>? _pending;

    public NeighborEntry(Ipv4Address address) => Address = address;

    public Ipv4Address Address { get; }

    public NeighborState State { get; set; }

    /// <summary>The hardware address; meaningless while <see cref="NeighborState.Incomplete"/>.</summary>
    public MacAddress Mac { get; set; }

    /// <summary>When the neighbour last proved reachable (its ARP packet, or upper-layer advice).</summary>
    public Instant ConfirmedAt { get; set; }

    /// <summary>ARP requests sent in the current resolution or probe.</summary>
    public int RequestsSent { get; set; }

    /// <summary>When the next request is due, or resolution gives up (Incomplete and Probing only).</summary>
    public Instant NextRequestAt { get; set; }

    public int PendingCount => _pending?.Count ?? 0;

    public int PendingBytes { get; private set; }

    public bool IsStale(Instant now, Duration lifetime) => State == NeighborState.Reachable && now >= ConfirmedAt + lifetime;

    /// <summary>When this entry next needs attention: a request, giving up, or removal if unused.</summary>
    public Instant Deadline(Duration lifetime, Duration staleLifetime) =>
        State == NeighborState.Reachable ? ConfirmedAt + lifetime + staleLifetime : NextRequestAt;

    /// <summary>
    /// Copies <paramref name="datagram"/> to the back of the queue. When the queue is full the
    /// oldest datagrams are dropped to make room, because RFC 1122 §2.3.2.2 asks to keep the
    /// latest. Returns how many datagrams were dropped (including this one if it alone is too big).
    /// </summary>
    public int Enqueue(ReadOnlySpan<byte> datagram, in TxNote note, int maxCount, int maxBytes)
    {
        if (datagram.Length > maxBytes)
        {
            return 1;
        }

        _pending ??= new Queue<PendingDatagram>();
        int dropped = 0;
        while (_pending.Count >= maxCount || PendingBytes + datagram.Length > maxBytes)
        {
            Discard(_pending.Dequeue());
            dropped++;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        _pending.Enqueue(new PendingDatagram(buffer, datagram.Length, note));
        PendingBytes += datagram.Length;
        return dropped;
    }

    /// <summary>Takes the oldest queued datagram; the caller hands it to <see cref="ReturnBuffer"/> when done.</summary>
    public bool TryDequeue(out PendingDatagram datagram)
    {
        if (_pending is null || !_pending.TryDequeue(out datagram))
        {
            datagram = default;
            return false;
        }

        PendingBytes -= datagram.Length;
        return true;
    }

    public static void ReturnBuffer(in PendingDatagram datagram) => ArrayPool<byte>.Shared.Return(datagram.Buffer);

    private void Discard(PendingDatagram datagram)
    {
        PendingBytes -= datagram.Length;
        ArrayPool<byte>.Shared.Return(datagram.Buffer);
    }
}
