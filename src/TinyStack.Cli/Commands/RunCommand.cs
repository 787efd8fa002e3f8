using System.CommandLine;
using System.Runtime.InteropServices;
using TinyStack.Host;
using TinyStack.Host.Capture;
using TinyStack.Host.Links;
using TinyStack.Host.Tap;

namespace TinyStack.Cli.Commands;

/// <summary><c>tinystack run</c>: attach to a TAP device and run the stack until Ctrl-C.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        InterfaceOptions iface = new();
        Command command = new("run", "Run TinyStack on a TAP device until Ctrl-C (answers ARP and ping)");
        iface.AddTo(command);
        command.SetAction(result => Run(result, iface));
        return command;
    }

    private static int Run(ParseResult result, InterfaceOptions iface)
    {
        if (iface.Validate(result) is string error)
        {
            Console.Error.WriteLine($"tinystack: {error}");
            return 2;
        }

        StackLogLevel level = result.GetValue(iface.Log);
        ConsoleLogger logger = new(level);
        StackOptions options = iface.ToStackOptions(result, logger);
        using RunningStack running = RunningStack.Start(result, iface, options, logger);

        using ManualResetEventSlim stop = new();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Set();
        };
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            stop.Set();
        });

        stop.Wait();
        running.Stop();
        Console.Out.WriteLine(running.Summary());
        return 0;
    }
}
