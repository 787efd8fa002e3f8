using TinyStack.Time;

namespace TinyStack.Host.Links;

/// <summary>
/// An Ethernet link: a TAP device, one end of an in-memory pair, or a wrapper that adds faults or
/// captures traffic. Every call takes the current time and the device reports its own next
/// deadline, so delays and rate limits run in virtual time and nothing sleeps.
/// </summary>
/// <remarks>
/// Driving contract (what <see cref="StackHost"/> does and a simulation should do): call
/// <see cref="Receive"/> until it returns 0, calling <see cref="ReportVerdict"/> once after each
/// frame; call <see cref="Poll"/>; sleep until <see cref="WaitHandle"/> is readable or
/// <see cref="NextDeadline"/>. Calls are single-threaded per device. Wrappers own (and dispose)
/// the device they wrap.
/// </remarks>
public interface ILinkDevice : IDisposable
{
    /// <summary>Largest IP datagram the link carries (the Ethernet payload), e.g. 1500.</summary>
    int Mtu { get; }

    /// <summary>
    /// Copies the next frame that is due at <paramref name="now"/> into <paramref name="buffer"/>
    /// and returns its length, or 0 when none is ready. A buffer of <see cref="Mtu"/> + 18 bytes
    /// (Ethernet header and one VLAN tag) always suffices; a smaller one may be rejected with
    /// <see cref="ArgumentException"/>.
    /// </summary>
    int Receive(Span<byte> buffer, Instant now);

    /// <summary>Sends one frame (or queues it, for delaying/rate-limiting wrappers).</summary>
    void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now);

    /// <summary>
    /// Tells a capturing wrapper what the stack decided about the frame most recently returned by
    /// <see cref="Receive"/>; other devices pass it on.
    /// </summary>
    void ReportVerdict(DropReason verdict);

    /// <summary>Releases frames whose delay has expired (wrappers) and flushes pending output.</summary>
    void Poll(Instant now);

    /// <summary>
    /// When <see cref="Poll"/> or <see cref="Receive"/> next has work, or <see cref="Instant.MaxValue"/>.
    /// A value at or before the current time means "work is due now" (e.g. frames are waiting).
    /// </summary>
    Instant NextDeadline { get; }

    /// <summary>
    /// A file descriptor that becomes readable when frames arrive (for poll(2)), or -1 for devices
    /// that only make progress in virtual time.
    /// </summary>
    int WaitHandle { get; }
}
