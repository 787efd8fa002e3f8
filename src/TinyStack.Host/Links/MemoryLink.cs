using TinyStack.Host.Interop;
using TinyStack.Time;

namespace TinyStack.Host.Links;

/// <summary>
/// One end of an in-memory Ethernet cable: frames transmitted on one end are received on the other,
/// in order, with no delay. Each direction is a bounded ring preallocated at creation; a frame sent
/// into a full ring is dropped and counted, as a full NIC queue would drop it.
/// </summary>
/// <remarks>
/// In a simulation both ends are usually driven from one thread in virtual time, and no system
/// call is made. Each end may also be driven by its own thread (e.g. two <see cref="StackHost"/>s):
/// the rings are single-producer single-consumer, and the first read of <see cref="WaitHandle"/>
/// creates an eventfd that the peer signals when it transmits, so the receiving thread can sleep
/// in poll(2).
/// </remarks>
public sealed class MemoryLink : ILinkDevice
{
    /// <summary>Default frames each direction holds before dropping.</summary>
    public const int DefaultCapacity = 256;

    /// <summary>Ethernet header (14) plus room for one 802.1Q tag (4).</summary>
    public const int LinkHeaderAllowance = 18;

    private readonly FrameRing _inbound;
    private readonly FrameRing _outbound;
    private readonly object _wakeCreation = new();
    private MemoryLink _peer = null!;
    private WakeEvent? _wake;
    private long _framesTransmitted;
    private long _framesReceived;
    private long _framesDropped;
    private bool _disposed;

    private MemoryLink(int mtu, FrameRing inbound, FrameRing outbound)
    {
        Mtu = mtu;
        _inbound = inbound;
        _outbound = outbound;
    }

    public int Mtu { get; }

    /// <summary>Largest frame this link carries: MTU plus <see cref="LinkHeaderAllowance"/>.</summary>
    public int MaxFrameLength => Mtu + LinkHeaderAllowance;

    /// <summary>Frames each direction holds before it drops.</summary>
    public int Capacity => _inbound.Capacity;

    /// <summary>Frames sent on this end and accepted by the ring.</summary>
    public long FramesTransmitted => Volatile.Read(ref _framesTransmitted);

    /// <summary>Frames received on this end.</summary>
    public long FramesReceived => Volatile.Read(ref _framesReceived);

    /// <summary>Frames sent on this end and dropped because the peer's ring was full.</summary>
    public long FramesDropped => Volatile.Read(ref _framesDropped);

    /// <summary>Frames waiting to be received on this end.</summary>
    public int Pending => _inbound.Count;

    /// <summary><see cref="Instant.Zero"/> ("already due") while frames are waiting, else never.</summary>
    public Instant NextDeadline => _inbound.Count > 0 ? Instant.Zero : Instant.MaxValue;

    /// <summary>An eventfd that is readable when frames may be waiting (created on first use).</summary>
    public int WaitHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Volatile.Read(ref _wake) is { } existing)
            {
                return existing.Fd;
            }

            lock (_wakeCreation)
            {
                _wake ??= new WakeEvent();

                // Frames may already be waiting; make sure the first poll does not sleep on them.
                _wake.Signal();
                return _wake.Fd;
            }
        }
    }

    /// <summary>Creates the two ends of a link. Frames sent on A arrive on B, and the reverse.</summary>
    /// <param name="mtu">Largest IP datagram carried; frames may be MTU + 18 bytes long.</param>
    /// <param name="capacity">Frames each direction holds before dropping.</param>
    public static (MemoryLink A, MemoryLink B) CreatePair(int mtu = 1500, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 68);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mtu, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var aToB = new FrameRing(capacity, mtu + LinkHeaderAllowance);
        var bToA = new FrameRing(capacity, mtu + LinkHeaderAllowance);
        var a = new MemoryLink(mtu, inbound: bToA, outbound: aToB);
        var b = new MemoryLink(mtu, inbound: aToB, outbound: bToA);
        a._peer = b;
        b._peer = a;
        return (a, b);
    }

    public int Receive(Span<byte> buffer, Instant now)
    {
        int length = _inbound.PeekLength();
        if (length == 0)
        {
            // Empty: consume the wake-up signal, then look again, so a frame that raced with the
            // reset is either returned now or signalled again for the next poll.
            if (Volatile.Read(ref _wake) is { } wake)
            {
                wake.Reset();
                length = _inbound.PeekLength();
            }

            if (length == 0)
            {
                return 0;
            }
        }

        if (buffer.Length < length)
        {
            throw new ArgumentException(
                $"The receive buffer holds {buffer.Length} bytes but the next frame has {length}; pass a buffer of MaxFrameLength ({MaxFrameLength}) bytes.",
                nameof(buffer));
        }

        _inbound.Read(buffer);
        _framesReceived++;
        return length;
    }

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        if (frame.Length > MaxFrameLength)
        {
            throw new ArgumentException(
                $"A frame of {frame.Length} bytes does not fit a link with MTU {Mtu} (at most {MaxFrameLength} bytes with the Ethernet header).",
                nameof(frame));
        }

        if (!_outbound.TryWrite(frame))
        {
            _framesDropped++;
            return;
        }

        _framesTransmitted++;
        _peer.SignalArrival();
    }

    public void ReportVerdict(DropReason verdict)
    {
    }

    public void Poll(Instant now)
    {
    }

    public void Dispose()
    {
        _disposed = true;
        _wake?.Dispose();
    }

    private void SignalArrival()
    {
        // Full fence between publishing the frame (the ring's tail) and reading _wake: without it
        // the read could overtake the write, and a consumer that creates its eventfd at that moment
        // would neither see the frame nor be signalled.
        Interlocked.MemoryBarrier();
        Volatile.Read(ref _wake)?.Signal();
    }
}
