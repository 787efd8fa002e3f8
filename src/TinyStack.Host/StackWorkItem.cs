using TinyStack.Time;

namespace TinyStack.Host;

/// <summary>One entry of the <see cref="StackHost"/> work queue: either kind of posted delegate.</summary>
internal readonly record struct StackWorkItem(Action<NetworkStack>? Simple, StackWork? Full)
{
    public void Run(NetworkStack stack, Instant now, IFrameSink tx)
    {
        if (Full is not null)
        {
            Full(stack, now, tx);
        }
        else
        {
            Simple!(stack);
        }
    }
}
