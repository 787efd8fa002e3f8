using System.CommandLine;
using TinyStack.Cli.Commands;
using TinyStack.Host.Capture;
using TinyStack.Host.Tap;

namespace TinyStack.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        RootCommand root = new("TinyStack: a userspace TCP/IP stack on a Linux TAP device");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(GetCommand.Create());
        root.Subcommands.Add(ConnectCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        try
        {
            return root.Parse(args).Invoke();
        }
        catch (Exception e) when (e is TapException or IOException or InvalidDataException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or System.Net.Sockets.SocketException)
        {
            // Local problems (no permission, busy device, unwritable capture) get one clear line.
            Console.Error.WriteLine($"tinystack: {e.Message}");
            return 1;
        }
    }
}
