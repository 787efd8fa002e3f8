using TinyStack.Interface;
using TinyStack.Tcp;
using TinyStack.Time;

namespace TinyStack;

/// <summary>
/// One TinyStack instance: the pure protocol core. It makes no system calls, starts no threads
/// and reads no clock; the host drives it with frames and the current time. One thread owns it.
/// </summary>
public sealed class NetworkStack
{
    private readonly IStackLogger? _logger;
    private readonly TcpIpv4Binding _tcp;

    /// <summary>Creates a stack; throws <see cref="ArgumentException"/> if the options cannot work.</summary>
    public NetworkStack(StackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _logger = options.Logger;
        Random = new SeededRandom(options.Seed);
        Interface = new NetInterface(options, Stats, Random);
        _tcp = new TcpIpv4Binding(Interface, options, Random.NextUInt64());
    }

    public StackOptions Options { get; }

    /// <summary>Counters of everything received, sent and dropped.</summary>
    public Stats Stats { get; } = new();

    /// <summary>The seeded source every random choice comes from (TCP draws its ISN key here).</summary>
    internal SeededRandom Random { get; }

    /// <summary>The Ethernet interface: where TCP and UDP register and send.</summary>
    internal NetInterface Interface { get; }

    /// <summary>
    /// TCP: listen, connect, and the connection table. Like the rest of the stack it belongs to
    /// the stack's thread; the async socket API in TinyStack.Host marshals calls onto it.
    /// </summary>
    public TcpLayer Tcp => _tcp.Layer;

    /// <summary>When <see cref="Poll"/> must run next if no frame arrives.</summary>
    public Instant NextDeadline => Interface.NextDeadline;

    /// <summary>
    /// Processes one received Ethernet frame. Replies that are due at once (ARP reply, echo reply)
    /// are emitted into <paramref name="tx"/> before this returns. Never throws on bad input: the
    /// verdict says whether the frame was used or why it was dropped, and is counted in <see cref="Stats"/>.
    /// </summary>
    public DropReason Receive(ReadOnlySpan<byte> frame, Instant now, IFrameSink tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        Stats.Increment(StatCounter.FramesReceived);
        Stats.Add(StatCounter.BytesReceived, frame.Length);
        DropReason verdict = Interface.Receive(frame, now, tx);
        if (verdict != DropReason.Accepted)
        {
            Stats.Count(verdict);
            if (verdict != DropReason.Ipv4FragmentQueued && _logger is not null && _logger.IsEnabled(StackLogLevel.Debug))
            {
                _logger.Log(StackLogLevel.Debug, $"rx drop {verdict}: {frame.Length} bytes");
            }
        }

        return verdict;
    }

    /// <summary>Runs every timer due at <paramref name="now"/> and emits every frame that is due.</summary>
    public void Poll(Instant now, IFrameSink tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        Interface.Poll(now, tx);
    }
}
