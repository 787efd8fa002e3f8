using System.Text.Json;

namespace TinyStack.Live.Tests.Tap;

/// <summary>
/// A private network namespace (ts-tap-PID-N) for one test, with IPv6 off so the kernel does not
/// chatter on new interfaces. Deleted on dispose, with every interface in it.
/// </summary>
internal sealed class NetNamespace : IDisposable
{
    private static int s_counter;

    public NetNamespace()
    {
        Name = $"ts-tap-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        Command.Run("ip", "netns", "add", Name);
        try
        {
            Exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            Ip("link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>Runs <c>ip -n NAME ARGS</c>.</summary>
    public string Ip(params string[] arguments) => Command.Run("ip", ["-n", Name, .. arguments]);

    /// <summary>Runs a program inside the namespace.</summary>
    public string Exec(params string[] arguments) => Command.Run("ip", ["netns", "exec", Name, .. arguments]);

    /// <summary>The interface as <c>ip -s -j link show</c> describes it.</summary>
    public JsonElement Link(string device)
    {
        using JsonDocument document = JsonDocument.Parse(Ip("-s", "-j", "link", "show", "dev", device));
        return document.RootElement[0].Clone();
    }

    public bool HasLink(string device) => Command.TryRun("ip", "-n", Name, "link", "show", "dev", device).ExitCode == 0;

    public long RxPackets(string device) => Link(device).GetProperty("stats64").GetProperty("rx").GetProperty("packets").GetInt64();

    public byte[] Mac(string device) => Convert.FromHexString(Link(device).GetProperty("address").GetString()!.Replace(":", "", StringComparison.Ordinal));

    public void Dispose() => Command.TryRun("ip", "netns", "del", Name);
}
