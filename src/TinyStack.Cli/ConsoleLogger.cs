using System.Diagnostics;

namespace TinyStack.Cli;

/// <summary>
/// Writes the stack's events as one line each, prefixed with the time since start, to standard
/// output (or to <paramref name="output"/>: standard error for commands whose standard output is data).
/// </summary>
public sealed class ConsoleLogger(StackLogLevel minimum, TextWriter? output = null) : IStackLogger
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
        (output ?? Console.Out).WriteLine($"[{seconds,10:F6}] {Label(level)} {message}");
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
