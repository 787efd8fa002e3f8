using System.Diagnostics;
using System.Text;

namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>A <c>tinystack</c> process running inside a lab namespace, its output collected.</summary>
public sealed class StackProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly ManualResetEventSlim _ready = new();
    private bool _stopped;

    private StackProcess(Process process) => _process = process;

    /// <summary>Everything the process printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static StackProcess Start(string netns, IEnumerable<string> args)
    {
        ProcessStartInfo info = new("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["netns", "exec", netns, Repo.Script("tinystack"), .. args])
        {
            info.ArgumentList.Add(arg);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("could not start tinystack");
        StackProcess stack = new(process);
        process.OutputDataReceived += (_, e) => stack.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => stack.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // The stack logs one line naming its address once the TAP is attached and the loop runs.
        if (!stack._ready.Wait(TimeSpan.FromSeconds(120)) || process.HasExited)
        {
            stack.Dispose();
            throw new InvalidOperationException($"tinystack did not start:\n{stack.Output}");
        }

        return stack;
    }

    /// <summary>Stops the stack with SIGTERM (handled like Ctrl-C) and returns everything it printed, including its counter summary.</summary>
    public string Stop()
    {
        if (!_stopped)
        {
            _stopped = true;
            if (!_process.HasExited)
            {
                // `ip netns exec` and scripts/tinystack both exec, so this PID is the stack itself:
                // SIGTERM (like Ctrl-C) lets it shut down cleanly, flush its capture and print its counters.
                Shell.Run("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
                if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.WaitForExit();
        }

        return Output;
    }

    /// <summary>Sends a signal (e.g. "USR1") to the running stack.</summary>
    public void Signal(string name)
    {
        Shell.Run("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits until the output has a line (after the first <paramref name="skip"/> lines) that <paramref name="match"/> accepts; returns it.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan timeout, int skip = 0)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            string[] lines = Output.Split('\n');
            foreach (string line in lines.Skip(skip))
            {
                if (match(line))
                {
                    return line.TrimEnd('\r');
                }
            }

            if (watch.Elapsed > timeout || _process.HasExited)
            {
                throw new TimeoutException($"no matching line from tinystack within {timeout.TotalSeconds:0} s:\n{Output}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Lines printed so far.</summary>
    public int LineCount => Output.Split('\n').Length - 1;

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        _ready.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("TinyStack ", StringComparison.Ordinal) && line.Contains(" on ", StringComparison.Ordinal))
        {
            _ready.Set();
        }
    }
}
