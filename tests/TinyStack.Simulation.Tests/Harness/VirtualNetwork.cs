using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// Drives stacks and raw endpoints attached to in-memory links in virtual time: the same loop
/// as StackHost (drain each link, report verdicts, poll timers), but time jumps straight to the
/// next deadline instead of sleeping, so a minute of network time runs in milliseconds.
/// </summary>
public sealed class VirtualNetwork : IDisposable
{
    private readonly List<INode> _nodes = [];

    public Instant Now { get; private set; } = Instant.Zero;

    /// <summary>Runs after every step of the loop: the place for invariants that must always hold.</summary>
    public Action? AfterEachStep { get; set; }

    /// <summary>Rounds of the loop so far; a guard against livelock in tests.</summary>
    public long Steps { get; private set; }

    public StackNode AddStack(StackOptions options, ILinkDevice link)
    {
        StackNode node = new(new NetworkStack(options), link);
        _nodes.Add(node);
        return node;
    }

    public RawNode AddRaw(ILinkDevice link)
    {
        RawNode node = new(link);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Runs every node until nothing is due before <paramref name="until"/>, then sets the clock to it.</summary>
    public void RunUntil(Instant until)
    {
        while (true)
        {
            Steps++;
            foreach (INode node in _nodes)
            {
                node.Step(Now);
            }

            AfterEachStep?.Invoke();

            Instant next = Instant.MaxValue;
            foreach (INode node in _nodes)
            {
                next = Instant.Min(next, node.NextDeadline);
            }

            if (next <= Now)
            {
                // Something is due now (frames waiting in a link): go round again at the same time.
                continue;
            }

            if (next > until)
            {
                Now = Instant.Max(Now, until);
                return;
            }

            Now = next;
        }
    }

    public void RunFor(Duration duration) => RunUntil(Now + duration);

    /// <summary>Runs until <paramref name="done"/> holds, checking after each step; false if <paramref name="limit"/> passed first.</summary>
    public bool RunUntil(Func<bool> done, Duration limit, Duration? step = null)
    {
        Instant end = Now + limit;
        Duration slice = step ?? Duration.FromMilliseconds(1);
        while (!done())
        {
            if (Now >= end)
            {
                return false;
            }

            RunUntil(Instant.Min(end, Now + slice));
        }

        return true;
    }

    public void Dispose()
    {
        foreach (INode node in _nodes)
        {
            node.Dispose();
        }
    }

    internal interface INode : IDisposable
    {
        Instant NextDeadline { get; }

        void Step(Instant now);
    }
}
