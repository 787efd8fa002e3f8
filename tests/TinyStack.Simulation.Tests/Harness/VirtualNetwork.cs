using TinyStack.Host.Links;
using TinyStack.Time;
using Xunit.Sdk;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// Drives stacks and raw endpoints attached to in-memory links in virtual time: the same loop
/// as StackHost (drain each link, report verdicts, poll timers), but time jumps straight to the
/// next deadline instead of sleeping, so a minute of network time runs in milliseconds.
/// With <c>recordFrames</c> set, each stack's link keeps its last frames so that a failing run
/// can be looked at in Wireshark (<see cref="CaptureOnFailure"/>).
/// </summary>
public sealed class VirtualNetwork(int recordFrames = 0) : IDisposable
{
    private readonly List<INode> _nodes = [];
    private readonly List<(string Name, FrameHistory History)> _histories = [];

    public Instant Now { get; private set; } = Instant.Zero;

    /// <summary>Runs after every step of the loop: the place for invariants that must always hold.</summary>
    public Action? AfterEachStep { get; set; }

    /// <summary>Rounds of the loop so far; a guard against livelock in tests.</summary>
    public long Steps { get; private set; }

    public StackNode AddStack(StackOptions options, ILinkDevice link)
    {
        if (recordFrames > 0)
        {
            FrameHistory history = new(recordFrames, link.Mtu + MemoryLink.LinkHeaderAllowance);
            _histories.Add((options.Address.Address.ToString(), history));
            link = new RecordingLink(link, history);
        }

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

    /// <summary>
    /// Runs <paramref name="body"/>; if it fails (an assertion, or an invariant in
    /// <see cref="AfterEachStep"/>), writes each stack's recorded frames to
    /// out/sim-failures/&lt;name&gt;-&lt;address&gt;.pcapng and fails with the paths in the message.
    /// </summary>
    public void CaptureOnFailure(string name, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e) when (_histories.Count > 0)
        {
            string directory = Path.Combine(RepositoryRoot(), "out", "sim-failures");
            Directory.CreateDirectory(directory);
            List<string> paths = [];
            foreach ((string node, FrameHistory history) in _histories)
            {
                string path = Path.Combine(directory, $"{name}-{node}.pcapng");
                history.WriteTo(path);
                paths.Add($"{path} ({Math.Min(history.Recorded, history.Capacity)} of {history.Recorded} frames)");
            }

            throw new XunitException($"{e.Message}{Environment.NewLine}At {Now}; last frames seen by each stack: {string.Join(", ", paths)}", e);
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TinyStack.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
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
