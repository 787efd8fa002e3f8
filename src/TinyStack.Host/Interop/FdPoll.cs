namespace TinyStack.Host.Interop;

/// <summary>A safe wrapper of poll(2) on one descriptor, for tests and diagnostics.</summary>
internal static unsafe class FdPoll
{
    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (0: just look) for the descriptor to be readable.</summary>
    public static bool IsReadable(int fd, int timeoutMilliseconds = 0)
    {
        PollFd pollFd = new() { Fd = fd, Events = LibC.PollIn };
        int result = LibC.Poll(&pollFd, 1, timeoutMilliseconds);
        return result > 0 && (pollFd.REvents & LibC.PollIn) != 0;
    }
}
