namespace TinyStack.Host.Sockets;

/// <summary>
/// Where a socket resumes the code that awaits it (<see cref="StackHost.SocketContinuations"/>).
/// </summary>
public enum SocketContinuations
{
    /// <summary>
    /// The default: completions are queued to the thread pool, so application code never runs on
    /// the stack thread and may block, compute or allocate as it likes without stalling the stack.
    /// Costs a thread hop per completion and a wake-up of the stack thread per call.
    /// </summary>
    ThreadPool,

    /// <summary>
    /// Completions run the awaiting code at once on the stack thread, and the calls it makes next
    /// (ReadAsync, WriteAsync) run there directly without a queue or a wake-up: the fastest path.
    /// The code MUST NOT block (no .Result, no Thread.Sleep, no synchronous I/O) or run long:
    /// while it runs the stack receives no frames and fires no timers.
    /// </summary>
    StackThread,
}
