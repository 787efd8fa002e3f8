namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>What a finished command printed and returned.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"$ {Command}\nexit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
