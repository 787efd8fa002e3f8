using System.Diagnostics;

namespace TinyStack.Cli;

/// <summary>Writes the stack's events as one line each, prefixed with the time since start.</summary>
public sealed class ConsoleLogger(StackLogLevel minimum) : IStackLogger
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public bool IsEnabled(StackLogLevel level) => level >= minimum && level != StackLogLevel.None;

    public void Log(StackLogLevel level, string message)
    {
        if (!IsEnabled(level))
        {
            return;
        }

        double seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        Console.Out.WriteLine($"[{seconds,10:F6}] {Label(level)} {message}");
    }

    private static string Label(StackLogLevel level) => level switch
    {
        StackLogLevel.Trace => "trace",
        StackLogLevel.Debug => "debug",
        StackLogLevel.Info => "info ",
        StackLogLevel.Warning => "warn ",
        _ => "error",
    };
}
