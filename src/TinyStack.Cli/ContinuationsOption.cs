using System.CommandLine;
using System.CommandLine.Parsing;
using TinyStack.Host;
using TinyStack.Host.Sockets;

namespace TinyStack.Cli;

/// <summary>
/// <c>--continuations stack|pool</c> of <c>tinystack run</c>: where the built-in services and the web
/// site resume after a socket operation completes (<see cref="StackHost.SocketContinuations"/>).
/// </summary>
/// <remarks>
/// <c>run</c> defaults to the stack thread, unlike the library: its own code never blocks between
/// awaits (parsing, routing, copying, hashing a chunk; files are read asynchronously), so it can
/// run where the frames arrive, and it saves two thread hops and two wake-ups per request. On the
/// 2-core development machine that is 1.3-1.8x the keep-alive requests/s and ~1.9x the new
/// connections/s of the thread-pool mode (docs/http.md).
/// </remarks>
public sealed class ContinuationsOption
{
    public Option<SocketContinuations> Option { get; } = new("--continuations")
    {
        Description = "Where the built-in services and web site run between socket operations: stack (default; on the stack thread, no thread hops, as they never block) or pool (the .NET thread pool, the library's default)",
        HelpName = "stack|pool",
        DefaultValueFactory = _ => SocketContinuations.StackThread,
        CustomParser = Parse,
    };

    public void AddTo(Command command) => command.Options.Add(Option);

    /// <summary>Applies the choice to <paramref name="host"/>, before any socket is created.</summary>
    public void Apply(ParseResult result, StackHost host) => host.SocketContinuations = result.GetValue(Option);

    private static SocketContinuations Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        switch (text.ToLowerInvariant())
        {
            case "stack":
                return SocketContinuations.StackThread;
            case "pool":
                return SocketContinuations.ThreadPool;
            default:
                result.AddError($"--continuations '{text}' is not valid: expected stack or pool.");
                return default;
        }
    }
}
