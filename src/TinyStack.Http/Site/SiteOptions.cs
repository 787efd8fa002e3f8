using TinyStack.Host;

namespace TinyStack.Http.Site;

/// <summary>What the built-in site needs to know about where it runs.</summary>
public sealed class SiteOptions
{
    public SiteOptions(StackHost host)
    {
        Host = host;
    }

    /// <summary>The stack whose counters and connections /stats reports.</summary>
    public StackHost Host { get; }

    /// <summary>When the stack started (for the uptime).</summary>
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>A directory whose files are served for paths no route takes (--www DIR), or null.</summary>
    public string? WwwRoot { get; init; }

    /// <summary>The servers whose counters /stats reports (set once they run).</summary>
    public IReadOnlyList<HttpServer> Servers { get; set; } = [];
}
