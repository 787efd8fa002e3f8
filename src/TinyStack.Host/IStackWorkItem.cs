using TinyStack.Time;

namespace TinyStack.Host;

/// <summary>
/// Work that a <see cref="StackHost"/> runs on its thread, posted as a preallocated object
/// (<see cref="StackHost.Post(IStackWorkItem)"/>) instead of a delegate, so that a caller that
/// posts the same item again and again (a socket's pending read, say) allocates nothing per post.
/// </summary>
/// <remarks>
/// The same item may sit in the queue more than once (a request and a cancellation, for
/// instance); <see cref="Run"/> should look at the item's state and do only what is still due.
/// </remarks>
public interface IStackWorkItem
{
    /// <summary>Runs on the stack thread with the current time and the sink that transmits on the link.</summary>
    void Run(NetworkStack stack, Instant now, IFrameSink tx);
}
