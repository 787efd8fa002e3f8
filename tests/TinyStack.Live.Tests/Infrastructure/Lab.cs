namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>
/// A private lab for one test: a network namespace with a unique name where the kernel is
/// 10.0.0.1/24 on a bridge with TAPs tap0..tapN-1. Disposing it stops every TinyStack started in
/// it and removes the namespace, also when the test failed.
/// </summary>
public sealed class Lab : IDisposable
{
    private static int s_counter;
    private readonly List<StackProcess> _stacks = [];
    private readonly Dictionary<string, string> _environment;

    public Lab(int taps = 1)
    {
        Name = $"ts-live-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        _environment = new() { ["TS_LAB"] = Name };
        ProcessResult up = Shell.Run(Repo.Script("lab.sh"), ["up", "--taps", taps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", Name], TimeSpan.FromSeconds(30), _environment);
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException($"lab.sh up failed:\n{up}");
        }
    }

    public string Name { get; }

    /// <summary>Runs a command inside the lab's namespace (the kernel's side of the TAPs).</summary>
    public ProcessResult Exec(TimeSpan timeout, params string[] command) =>
        Shell.Run("ip", ["netns", "exec", Name, .. command], timeout);

    /// <summary>
    /// Runs tests/TinyStack.Live.Tests/Tcp/tcpclient.py inside the lab (the kernel's side of the TCP
    /// tests: chargen and discard transfers checked byte for byte, connection cycles).
    /// </summary>
    public ProcessResult TcpClient(TimeSpan timeout, params string[] args) =>
        Exec(timeout, ["/usr/bin/python3", Path.Combine(Repo.Root, "tests", "TinyStack.Live.Tests", "Tcp", "tcpclient.py"), .. args]);

    /// <summary>Runs a shell snippet inside the lab.</summary>
    public ProcessResult Bash(string script, TimeSpan timeout) => Exec(timeout, "bash", "-c", script);

    /// <summary>Starts <c>tinystack run</c> on a TAP of the lab and waits until it is up.</summary>
    public StackProcess StartStack(string tap = "tap0", string ip = "10.0.0.2/24", params string[] extraArgs)
    {
        StackProcess stack = StackProcess.Start(Name, ["run", "--tap", tap, "--ip", ip, .. extraArgs]);
        _stacks.Add(stack);
        return stack;
    }

    public void Dispose()
    {
        foreach (StackProcess stack in _stacks)
        {
            stack.Dispose();
        }

        Shell.Run(Repo.Script("lab.sh"), ["down"], TimeSpan.FromSeconds(30), _environment);
    }
}
