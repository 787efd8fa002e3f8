using System.CommandLine;
using TinyStack.Cli;

namespace TinyStack.Tests.Cli;

/// <summary>Parses arguments of a `tinystack run` made of the real option sets under test.</summary>
internal static class RunArguments
{
    /// <summary>The interface options, with the required --tap and --ip given.</summary>
    public static (InterfaceOptions Options, ParseResult Result) Parse(params string[] args)
    {
        InterfaceOptions options = new();
        return (options, ParseWith(options.AddTo, ["--tap", "tap0", "--ip", "10.0.0.2/24", .. args]));
    }

    /// <summary>A `run` command holding only what <paramref name="addOptions"/> adds.</summary>
    public static ParseResult ParseWith(Action<Command> addOptions, string[] args)
    {
        Command run = new("run");
        addOptions(run);
        RootCommand root = new("test");
        root.Subcommands.Add(run);
        return root.Parse(["run", .. args]);
    }
}
