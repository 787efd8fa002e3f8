using System.CommandLine;
using System.CommandLine.Parsing;
using TinyStack.Cli;
using TinyStack.Host.Sockets;

namespace TinyStack.Tests.Cli;

/// <summary>`tinystack run --continuations stack|pool`: where the built-in services resume.</summary>
public class ContinuationsOptionTests
{
    [Theory]
    [InlineData(new string[0], SocketContinuations.StackThread)]
    [InlineData(new[] { "--continuations", "stack" }, SocketContinuations.StackThread)]
    [InlineData(new[] { "--continuations", "pool" }, SocketContinuations.ThreadPool)]
    [InlineData(new[] { "--continuations", "Pool" }, SocketContinuations.ThreadPool)]
    public void Run_resumes_on_the_stack_thread_unless_told_pool(string[] args, SocketContinuations expected)
    {
        (ContinuationsOption option, ParseResult result) = Parse(args);
        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.GetValue(option.Option));
    }

    [Fact]
    public void A_bad_value_gives_one_clear_line()
    {
        (_, ParseResult result) = Parse("--continuations", "threads");
        ParseError error = Assert.Single(result.Errors);
        Assert.Equal("--continuations 'threads' is not valid: expected stack or pool.", error.Message);
    }

    [Fact]
    public void The_real_run_command_offers_it()
    {
        Command run = TinyStack.Cli.Commands.RunCommand.Create();
        Assert.Contains(run.Options, o => o.Name == "--continuations");
    }

    private static (ContinuationsOption Option, ParseResult Result) Parse(params string[] args)
    {
        ContinuationsOption option = new();
        return (option, RunArguments.ParseWith(option.AddTo, args));
    }
}
