using System.CommandLine;
using TinyStack.Cli;

namespace TinyStack.Tests.Cli;

/// <summary>Parses arguments of `tinystack run` (with its required interface options) against the real option set.</summary>
internal static class RunArguments
{
    public static (InterfaceOptions Options, ParseResult Result) Parse(params string[] args)
    {
        InterfaceOptions options = new();
        Command run = new("run");
        options.AddTo(run);
        RootCommand root = new("test");
        root.Subcommands.Add(run);
        return (options, root.Parse(["run", "--tap", "tap0", "--ip", "10.0.0.2/24", .. args]));
    }
}
