namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>
/// Measured figures (RTTs, rates) go to out/figures.txt, which scripts/test.sh prints at the end,
/// so every run reports what it measured without turning timings into flaky assertions.
/// </summary>
public static class Figures
{
    private static readonly Lock s_lock = new();

    public static void Record(string line)
    {
        string dir = Path.Combine(Repo.Root, "out");
        Directory.CreateDirectory(dir);
        lock (s_lock)
        {
            File.AppendAllText(Path.Combine(dir, "figures.txt"), $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z  {line}{Environment.NewLine}");
        }
    }
}
