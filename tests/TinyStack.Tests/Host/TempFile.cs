namespace TinyStack.Tests.Host;

/// <summary>A file name in a fresh temporary directory, deleted with the directory on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private readonly string _directory;

    public TempFile(string fileName)
    {
        _directory = Directory.CreateTempSubdirectory("tinystack-test-").FullName;
        Path = System.IO.Path.Combine(_directory, fileName);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
