using System.CommandLine;
using System.Runtime.InteropServices;
using TinyStack.Cli.Services;
using TinyStack.Host;
using TinyStack.Host.Capture;
using TinyStack.Host.Links;
using TinyStack.Host.Tap;

namespace TinyStack.Cli.Commands;

/// <summary><c>tinystack run</c>: attach to a TAP device and run the stack until Ctrl-C.</summary>
public static class RunCommand
{
    // Linux's SIGUSR1; PosixSignal takes raw signal numbers on Unix.
    private const PosixSignal SigUsr1 = (PosixSignal)10;

    public static Command Create()
    {
        InterfaceOptions iface = new();
        HttpSiteOptions site = new();
        ContinuationsOption continuations = new();
        Option<bool> noServices = new("--no-services")
        {
            Description = "Do not serve TCP echo (7), discard (9), daytime (13) and chargen (19)",
        };
        Command command = new("run", "Run TinyStack on a TAP device until Ctrl-C: answers ARP and ping, serves TCP echo, discard, daytime and chargen, and a web site on port 80 (and 443 with --tls)");
        iface.AddTo(command);
        command.Options.Add(noServices);
        continuations.AddTo(command);
        site.AddTo(command);
        command.SetAction(result => Run(result, iface, site, continuations, result.GetValue(noServices)));
        return command;
    }

    private static int Run(ParseResult result, InterfaceOptions iface, HttpSiteOptions site, ContinuationsOption continuations, bool noServices)
    {
        if ((iface.Validate(result) ?? site.Validate(result)) is string error)
        {
            Console.Error.WriteLine($"tinystack: {error}");
            return 2;
        }

        StackLogLevel level = result.GetValue(iface.Log);
        ConsoleLogger logger = new(level);
        StackOptions options = iface.ToStackOptions(result, logger);
        TcpServices? services = null;
        RunningSite? web = null;
        using RunningStack running = RunningStack.Start(result, iface, options, logger, host =>
        {
            // Before the first listener: a socket takes the mode of its host when it is created.
            continuations.Apply(result, host);
            if (!noServices)
            {
                services = TcpServices.Start(host, logger, TcpServices.Classic);
                logger.Log(StackLogLevel.Info, "serving TCP " + string.Join(", ", TcpServices.Classic.Select(s => $"{s.Name} {s.Port}")));
            }

            if (!result.GetValue(site.NoHttp))
            {
                web = RunningSite.Start(host, result, site, logger);
            }
        });

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

        // SIGUSR1 (kill -USR1 PID) prints the connections by state, as dd prints its progress.
        using PosixSignalRegistration usr1 = PosixSignalRegistration.Create(SigUsr1, ctx =>
        {
            ctx.Cancel = true;
            Console.Out.WriteLine(running.ConnectionStates());
        });

        stop.Wait();
        services?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        web?.DisposeAsync().AsTask().GetAwaiter().GetResult();

        // Stopping the servers closed their connections: give the FINs just sent (and any still
        // being retransmitted) a moment to be acknowledged, so that peers are not left waiting
        // for a stack that is gone and the summary below shows a finished state.
        running.WaitForConnectionsToFinish(TimeSpan.FromSeconds(2));
        running.Stop();
        Console.Out.WriteLine(running.Summary());
        if (web is not null)
        {
            Console.Out.WriteLine(web.Summary());
        }
        return 0;
    }
}
