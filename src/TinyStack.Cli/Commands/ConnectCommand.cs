using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using TinyStack.Host.Sockets;
using TinyStack.Wire;

namespace TinyStack.Cli.Commands;

/// <summary>
/// <c>tinystack connect HOST PORT</c>: netcat over TinyStack. It brings up its own stack on a TAP
/// device (the same interface options as <c>run</c>), opens a TCP connection through it (never
/// through the kernel's sockets) and joins it to standard input and output: stdin goes out, what
/// arrives is written to stdout, stdin's end half-closes the connection (FIN), and the command
/// exits when the peer closes. Logs and the counter summary go to standard error.
/// </summary>
public static class ConnectCommand
{
    private const int BufferSize = 64 * 1024;

    public static Command Create()
    {
        InterfaceOptions iface = new();
        Argument<Ipv4Address> host = new("host")
        {
            Description = "The peer's IPv4 address, e.g. 10.0.0.1",
            CustomParser = ParseAddress,
        };
        Argument<int> port = new("port")
        {
            Description = "The peer's TCP port (1..65535)",
            CustomParser = ParsePort,
        };
        Command command = new("connect", "Open a TCP connection through TinyStack (not the kernel) and join it to stdin/stdout, like netcat");
        command.Arguments.Add(host);
        command.Arguments.Add(port);
        iface.AddTo(command);
        command.SetAction(result => Run(result, iface, result.GetValue(host), result.GetValue(port)));
        return command;
    }

    private static int Run(ParseResult result, InterfaceOptions iface, Ipv4Address remote, int port)
    {
        if (iface.Validate(result) is string error)
        {
            return Fail(error, 2);
        }

        if (port is < 1 or > ushort.MaxValue)
        {
            return Fail($"port {port} is out of range: use 1..65535.", 2);
        }

        if (remote.IsUnspecified || remote.IsMulticast || remote.IsReserved || remote.IsLimitedBroadcast)
        {
            return Fail($"{remote} is not a unicast address: TCP connects to one host.", 2);
        }

        StackLogLevel level = result.GetValue(iface.Log);
        ConsoleLogger logger = new(level, Console.Error);
        StackOptions options = iface.ToStackOptions(result, logger);
        using RunningStack running = RunningStack.Start(result, iface, options, logger);
        using CancellationTokenSource interrupted = new();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            interrupted.Cancel();
        });

        int exitCode = Transfer(running, logger, remote, (ushort)port, interrupted.Token);
        running.WaitForConnectionsToFinish(TimeSpan.FromSeconds(1));
        running.Stop();
        if (logger.IsEnabled(StackLogLevel.Info))
        {
            Console.Error.WriteLine(running.Summary());
        }

        return exitCode;
    }

    private static int Transfer(RunningStack running, ConsoleLogger logger, Ipv4Address remote, ushort port, CancellationToken interrupted)
    {
        TcpStream stream;
        try
        {
            stream = TcpStream.ConnectAsync(running.Host, remote, port, interrupted).AsTask().GetAwaiter().GetResult();
        }
        catch (SocketException e)
        {
            return Fail($"connect {remote}:{port}: {e.Message}.", 1);
        }
        catch (OperationCanceledException)
        {
            return Fail($"connect {remote}:{port}: interrupted.", 130);
        }

        logger.Log(StackLogLevel.Info, $"connected {stream.LocalEndPoint} -> {stream.RemoteEndPoint}");
        using (stream)
        {
            try
            {
                Task upload = UploadAsync(stream, logger, interrupted);
                long received = DownloadAsync(stream, interrupted).GetAwaiter().GetResult();
                logger.Log(StackLogLevel.Info, $"peer closed after {received} bytes");

                // The peer closed its side; what we still had to send was either sent before (the
                // upload ended) or is moot. A failed upload (reset) is reported.
                if (upload.IsFaulted && upload.Exception?.InnerException is IOException failed)
                {
                    return Fail(failed.Message, 1);
                }

                return 0;
            }
            catch (IOException e)
            {
                return Fail(e.Message, 1);
            }
            catch (OperationCanceledException)
            {
                return Fail("interrupted.", 130);
            }
        }
    }

    /// <summary>Standard input to the connection; at its end, a FIN (half-close).</summary>
    private static async Task UploadAsync(TcpStream stream, ConsoleLogger logger, CancellationToken cancellationToken)
    {
        await using Stream stdin = Console.OpenStandardInput();
        byte[] buffer = new byte[BufferSize];
        long sent = 0;
        int n;
        while ((n = await stdin.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            sent += n;
        }

        stream.ShutdownWrite();
        logger.Log(StackLogLevel.Info, $"stdin ended after {sent} bytes: half-closed (FIN sent)");
    }

    /// <summary>The connection to standard output until the peer closes; returns the byte count.</summary>
    private static async Task<long> DownloadAsync(TcpStream stream, CancellationToken cancellationToken)
    {
        await using Stream stdout = Console.OpenStandardOutput();
        byte[] buffer = new byte[BufferSize];
        long received = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stdout.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            received += n;
        }

        await stdout.FlushAsync(cancellationToken);
        return received;
    }

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"tinystack: {message}");
        return exitCode;
    }

    private static int ParsePort(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, out int port) && port is >= 1 and <= ushort.MaxValue)
        {
            return port;
        }

        result.AddError($"port '{text}' is not valid: expected a number from 1 to 65535.");
        return 0;
    }

    private static Ipv4Address ParseAddress(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (Ipv4Address.TryParse(text, out Ipv4Address address))
        {
            return address;
        }

        result.AddError($"host '{text}' is not valid: expected an IPv4 address such as 10.0.0.1.");
        return default;
    }
}
