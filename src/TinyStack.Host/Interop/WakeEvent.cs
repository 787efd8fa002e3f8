namespace TinyStack.Host.Interop;

/// <summary>
/// An eventfd(2) used to wake a thread blocked in poll(2). <see cref="Signal"/> only makes a system
/// call when the event is not already signalled, so a burst of signals costs one write.
/// </summary>
internal sealed unsafe class WakeEvent : IDisposable
{
    private int _fd;

    // 1 while a signal is outstanding (written to the eventfd and not yet consumed by Reset).
    private int _signalled;

    public WakeEvent()
    {
        _fd = LibC.EventFd(0, LibC.EfdNonBlock | LibC.EfdCloExec);
        if (_fd < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new InvalidOperationException($"eventfd failed: {LibC.Describe(errno)}");
        }
    }

    public int Fd => _fd;

    /// <summary>Makes <see cref="Fd"/> readable. Safe from any thread.</summary>
    public void Signal()
    {
        // The exchange is a full fence: whatever the caller published before signalling (a queued
        // work item, a frame in a ring) is visible to the thread that later observes the flag clear.
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            ulong one = 1;
            int fd = Volatile.Read(ref _fd);
            if (fd >= 0)
            {
                _ = LibC.Write(fd, (byte*)&one, sizeof(ulong));
            }
        }
    }

    /// <summary>
    /// Consumes the signal. Call this BEFORE looking for the work the signal announces: a signal
    /// raised after the reset is either seen by that look or wakes the next poll. It always reads
    /// the eventfd (one system call): a signaller sets the flag before it writes, so the flag alone
    /// cannot tell whether a write is still on its way.
    /// </summary>
    public void Reset()
    {
        ulong value;
        _ = LibC.Read(_fd, (byte*)&value, sizeof(ulong));
        Interlocked.Exchange(ref _signalled, 0);
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LibC.Close(fd);
        }
    }
}
