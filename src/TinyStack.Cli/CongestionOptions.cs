using System.CommandLine;
using TinyStack.Host.Tracing;
using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;

namespace TinyStack.Cli;

/// <summary>
/// The congestion control flags shared by every command that runs a stack: <c>--cc</c> chooses the
/// algorithm of every connection, <c>--trace-dir</c> writes one congestion trace CSV per connection.
/// </summary>
public sealed class CongestionOptions
{
    public Option<string> Cc { get; } = new("--cc")
    {
        Description = "TCP congestion control: cubic (default, RFC 9438 with HyStart++) or newreno (RFC 5681/6582)",
        DefaultValueFactory = _ => "cubic",
        HelpName = string.Join('|', CongestionControlAlgorithms.Names),
    };

    public Option<int> InitialWindow { get; } = new("--tcp-initial-window")
    {
        Description = "TCP initial congestion window in segments (RFC 6928: 10; as Linux's initcwnd)",
        HelpName = "N",
        DefaultValueFactory = _ => NewReno.DefaultInitialWindowSegments,
    };

    public Option<string?> TraceDir { get; } = new("--trace-dir")
    {
        Description = "Write each TCP connection's congestion trace (cwnd, ssthresh, RTT, events) as CSV into DIR, when it closes and on exit; draw one with 'tinystack plot'",
        HelpName = "DIR",
    };

    public Option<int> TraceSamples { get; } = new("--trace-samples")
    {
        Description = "Rows each connection's trace keeps (the newest; default 65536)",
        HelpName = "N",
        DefaultValueFactory = _ => TcpTrace.DefaultCapacity,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Cc);
        command.Options.Add(InitialWindow);
        command.Options.Add(TraceDir);
        command.Options.Add(TraceSamples);
    }

    /// <summary>A one-line error, or null when the values are usable.</summary>
    public string? Validate(ParseResult result)
    {
        string name = result.GetValue(Cc) ?? "cubic";
        if (!CongestionControlAlgorithms.TryGet(name, out _))
        {
            return $"--cc {name} is not known: use one of {string.Join(", ", CongestionControlAlgorithms.Names)}.";
        }

        int initialWindow = result.GetValue(InitialWindow);
        if (initialWindow is < 1 or > CongestionControlAlgorithms.MaxInitialWindowSegments)
        {
            return $"--tcp-initial-window {initialWindow} is out of range: use 1..{CongestionControlAlgorithms.MaxInitialWindowSegments} segments.";
        }

        int samples = result.GetValue(TraceSamples);
        if (samples is < 1 or > TcpTrace.MaxCapacity)
        {
            return $"--trace-samples {samples} is out of range: use 1..{TcpTrace.MaxCapacity}.";
        }

        return null;
    }

    /// <summary>
    /// <paramref name="settings"/> with the chosen algorithm and, with --trace-dir, tracing into that
    /// directory (created now, so that a bad path fails at start).
    /// </summary>
    public TcpSettings Apply(ParseResult result, TcpSettings settings, IStackLogger logger)
    {
        Func<int, ICongestionControl> algorithm = CongestionControlAlgorithms.Get(result.GetValue(Cc) ?? "cubic", result.GetValue(InitialWindow));
        if (result.GetValue(TraceDir) is not string directory)
        {
            return settings with { CongestionControl = algorithm };
        }

        return settings with
        {
            CongestionControl = algorithm,
            TraceCapacity = result.GetValue(TraceSamples),
            TraceSink = new TraceDirectory(directory, logger),
        };
    }
}
