namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>Finds the repository the tests were built from, to run its scripts.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Script(string name) => Path.Combine(Root, "scripts", name);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TinyStack.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"TinyStack.sln not found above {AppContext.BaseDirectory}.");
    }
}
