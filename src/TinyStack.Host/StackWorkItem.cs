using TinyStack.Time;

namespace TinyStack.Host;

/// <summary>One entry of the <see cref="StackHost"/> work queue: one of the kinds of posted work.</summary>
internal readonly record struct StackWorkItem(Action<NetworkStack>? Simple, StackWork? Full, IStackWorkItem? Item)
{
    public void Run(NetworkStack stack, Instant now, IFrameSink tx)
    {
        if (Item is not null)
        {
            Item.Run(stack, now, tx);
        }
        else if (Full is not null)
        {
            Full(stack, now, tx);
        }
        else
        {
            Simple!(stack);
        }
    }
}
