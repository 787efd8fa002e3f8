using System.CommandLine;
using TinyStack.Host.Tracing;

namespace TinyStack.Cli.Commands;

/// <summary><c>tinystack plot TRACE.csv -o cwnd.svg</c>: draw a congestion trace as a self-contained SVG.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        Argument<string> trace = new("trace") { Description = "A congestion trace CSV written with --trace-dir" };
        Option<string?> output = new("--output", "-o")
        {
            Description = "The SVG file to write (default: the trace's name with .svg)",
            HelpName = "FILE",
        };
        Option<string?> title = new("--title") { Description = "Title of the picture (default: from the file name)" };

        Command command = new("plot", "Draw a congestion trace (cwnd, ssthresh, bytes in flight; losses and timeouts marked) as an SVG picture");
        command.Arguments.Add(trace);
        command.Options.Add(output);
        command.Options.Add(title);
        command.SetAction(result =>
        {
            string path = result.GetValue(trace)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"tinystack: trace file '{path}' does not exist.");
                return 1;
            }

            string svg = result.GetValue(output) ?? Path.ChangeExtension(path, ".svg");
            try
            {
                TraceSvgPlot.WriteFile(path, svg, result.GetValue(title));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"tinystack: cannot plot {path}: {e.Message}");
                return 1;
            }

            Console.Out.WriteLine($"wrote {svg}");
            return 0;
        });
        return command;
    }
}
