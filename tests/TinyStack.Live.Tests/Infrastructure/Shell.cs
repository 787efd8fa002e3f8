using System.Diagnostics;
using System.Text;

namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>Runs commands with a hard time limit; a command that overruns is killed with its children.</summary>
public static class Shell
{
    public static ProcessResult Run(string fileName, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        ProcessStartInfo info = new(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        string command = $"{fileName} {string.Join(' ', info.ArgumentList)}";
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {command}");
        process.StandardInput.Close();
        StringBuilder stdout = new();
        StringBuilder stderr = new();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{command}' did not finish within {timeout.TotalSeconds:0}s.\nstdout so far:\n{stdout}\nstderr:\n{stderr}");
        }

        process.WaitForExit();
        lock (stdout)
        {
            lock (stderr)
            {
                return new ProcessResult(command, process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }
}
