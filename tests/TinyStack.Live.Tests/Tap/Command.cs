using System.Diagnostics;

namespace TinyStack.Live.Tests.Tap;

/// <summary>Runs a command line tool and returns its output; failures throw with the tool's stderr.</summary>
internal static class Command
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public static string Run(string program, params string[] arguments)
    {
        (int exitCode, string output, string error) = TryRun(program, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({exitCode}): {error.Trim()}");
        }

        return output;
    }

    public static (int ExitCode, string Output, string Error) TryRun(string program, params string[] arguments)
    {
        using Process process = Start(program, arguments);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {s_timeout.TotalSeconds} s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Starts a process with redirected output; the caller waits for it or kills it.</summary>
    public static Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
    }
}
