namespace TinyStack.Host;

/// <summary>A snapshot of what a <see cref="StackHost"/> loop has done.</summary>
/// <param name="FramesReceived">Frames read from the link and fed to the stack.</param>
/// <param name="FramesTransmitted">Frames the stack emitted (handed to the link).</param>
/// <param name="Wakeups">Returns from poll(2): a frame, posted work, a deadline or a signal.</param>
/// <param name="WorkItems">Posted work items run.</param>
/// <param name="AllocatedBytes">
/// Bytes the stack thread has allocated on the managed heap so far (as of its last turn of the
/// loop): the zero-allocation claim of the hot path, measured where it runs.
/// </param>
public readonly record struct StackHostCounters(long FramesReceived, long FramesTransmitted, long Wakeups, long WorkItems, long AllocatedBytes);
