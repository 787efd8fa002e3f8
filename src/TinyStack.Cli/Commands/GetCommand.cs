using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using TinyStack.Http.Client;

namespace TinyStack.Cli.Commands;

/// <summary>
/// <c>tinystack get URL</c>: fetch one URL over TinyStack's own TCP (its own stack on a TAP device,
/// with the same interface options as <c>run</c>), like curl: the body goes to standard output
/// (or -o FILE), the status line and headers too with -i; logs go to standard error.
/// </summary>
public static class GetCommand
{
    public static Command Create()
    {
        InterfaceOptions iface = new();
        Argument<Uri> url = new("url")
        {
            Description = "http:// or https:// URL with an IPv4 address, e.g. http://10.0.0.2/stats",
            CustomParser = r =>
            {
                string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : string.Empty;
                if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https")
                {
                    return uri;
                }

                r.AddError($"'{text}' is not an http:// or https:// URL.");
                return null!;
            },
        };
        Option<bool> include = new("--include", "-i") { Description = "Print the status line and headers before the body" };
        Option<bool> head = new("--head", "-I") { Description = "Send HEAD and print the headers only" };
        Option<bool> insecure = new("--insecure", "-k") { Description = "Accept any HTTPS certificate" };
        Option<string?> output = new("--output", "-o") { Description = "Write the body to FILE instead of standard output" };
        Option<string> timeout = new("--timeout") { Description = "Give up after this long (e.g. 30s)", DefaultValueFactory = _ => "60s" };
        Command command = new("get", "Fetch a URL over TinyStack's own TCP/IP (not the kernel's), like curl");
        command.Arguments.Add(url);
        iface.AddTo(command);
        foreach (Option option in new Option[] { include, head, insecure, output, timeout })
        {
            command.Options.Add(option);
        }

        command.SetAction(result => Run(result, iface, result.GetValue(url)!, result.GetValue(include), result.GetValue(head), result.GetValue(insecure), result.GetValue(output), result.GetValue(timeout)!));
        return command;
    }

    private static int Run(ParseResult result, InterfaceOptions iface, Uri url, bool include, bool head, bool insecure, string? output, string timeoutText)
    {
        if (iface.Validate(result) is string error)
        {
            return Fail(error, 2);
        }

        if (!CliParsers.TryParseDuration(timeoutText, out Time.Duration timeout) || timeout <= Time.Duration.Zero)
        {
            return Fail($"--timeout '{timeoutText}' is not valid: expected a duration such as 30s.", 2);
        }

        StackLogLevel level = result.GetValue(iface.Log);
        ConsoleLogger logger = new(level == StackLogLevel.Info ? StackLogLevel.Warning : level, Console.Error);
        StackOptions options = iface.ToStackOptions(result, logger);
        using RunningStack running = RunningStack.Start(result, iface, options, logger);
        using CancellationTokenSource cancel = new(timeout.ToTimeSpan());
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cancel.Cancel();
        });

        int exitCode;
        try
        {
            using Stream body = output is null ? Console.OpenStandardOutput() : File.Create(output);
            using Stream stdout = Console.OpenStandardOutput();
            HttpGetResult fetched = HttpGet.FetchAsync(
                running.Host,
                url,
                body,
                head,
                insecure,
                response =>
                {
                    if (include || head)
                    {
                        stdout.Write(System.Text.Encoding.Latin1.GetBytes(response.FormatHead()));
                        stdout.Flush();
                    }
                },
                cancel.Token).GetAwaiter().GetResult();
            logger.Log(StackLogLevel.Info, $"{fetched.Response.StatusCode} {fetched.Response.ReasonPhrase}, {fetched.BodyBytes} body bytes in {fetched.Elapsed.TotalMilliseconds:0.0} ms");

            // Like curl --fail-with-body: the body is printed, and the exit code tells of an error status.
            exitCode = fetched.Response.StatusCode >= 400 ? 22 : 0;
        }
        catch (SocketException e)
        {
            exitCode = Fail($"{url}: {e.Message}.", 7);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or AuthenticationException or ArgumentException)
        {
            exitCode = Fail($"{url}: {e.Message}", 1);
        }
        catch (OperationCanceledException)
        {
            exitCode = Fail($"{url}: timed out or interrupted.", 28);
        }

        running.WaitForConnectionsToFinish(TimeSpan.FromSeconds(1));
        running.Stop();
        return exitCode;
    }

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"tinystack: {message}");
        return exitCode;
    }
}
