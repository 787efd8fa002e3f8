using TinyStack.Host.Capture;
using TinyStack.Wire;

namespace TinyStack.Replay.Tests;

/// <summary>The kernel-recorded captures in captures/ (see captures/README.md).</summary>
public static class Fixtures
{
    /// <summary>TinyStack's default MAC for 10.0.0.2, which the recorded "server" kernel used too.</summary>
    public static readonly MacAddress ServerMac = MacAddress.Parse("02:54:53:00:00:02");

    public static readonly StackOptions ServerOptions = new()
    {
        Address = Ipv4Cidr.Parse("10.0.0.2/24"),
        Mac = ServerMac,
        SendGratuitousArp = false,
    };

    public static IReadOnlyList<CapturedFrame> Read(string name) => CaptureReader.ReadAll(Path.Combine(Directory, name));

    /// <summary>The frames the real Linux server sent in the capture.</summary>
    public static List<byte[]> KernelReplies(IEnumerable<CapturedFrame> frames) =>
        [.. frames.Select(f => f.Data).Where(d => new MacAddress(d.AsSpan(6, 6)) == ServerMac)];

    private static string Directory { get; } = FindCaptures();

    private static string FindCaptures()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "captures");
            if (File.Exists(Path.Combine(dir.FullName, "TinyStack.sln")) && System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("captures/ not found above the test binaries.");
    }
}
