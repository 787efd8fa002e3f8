using TinyStack.Time;

namespace TinyStack;

/// <summary>
/// One TinyStack instance: the pure protocol core. It makes no system calls, starts no threads
/// and reads no clock; the host drives it with frames and the current time.
/// </summary>
public sealed class NetworkStack
{
    public NetworkStack(StackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    public StackOptions Options { get; }

    /// <summary>
    /// Processes one received Ethernet frame. Replies that are due at once (ARP reply, echo reply)
    /// are emitted into <paramref name="tx"/> before this returns. Never throws on bad input.
    /// </summary>
    public DropReason Receive(ReadOnlySpan<byte> frame, Instant now, IFrameSink tx) => DropReason.EthernetUnsupportedType;

    /// <summary>Runs every timer due at <paramref name="now"/> and emits every frame that is due.</summary>
    public void Poll(Instant now, IFrameSink tx)
    {
    }

    /// <summary>When <see cref="Poll"/> must run next if no frame arrives.</summary>
    public Instant NextDeadline => Instant.MaxValue;
}
