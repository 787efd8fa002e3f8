using System.CommandLine;
using System.Text;
using TinyStack.Host;
using TinyStack.Host.Capture;
using TinyStack.Host.Links;
using TinyStack.Host.Tap;
using TinyStack.Host.Tracing;

namespace TinyStack.Cli;

/// <summary>
/// One TinyStack instance brought up from the command line: TAP device, optional fault injection
/// and capture, the stack and the thread that owns it.
/// </summary>
public sealed class RunningStack : IDisposable
{
    private readonly FaultInjectingLink? _faults;
    private readonly ICaptureWriter? _capture;

    // The outermost link: each wrapper owns (and disposes) what it wraps, down to the TAP.
    private readonly ILinkDevice _link;
    private bool _stopped;

    private RunningStack(FaultInjectingLink? faults, ICaptureWriter? capture, ILinkDevice link, NetworkStack stack, StackHost host)
    {
        _faults = faults;
        _capture = capture;
        _link = link;
        Stack = stack;
        Host = host;
    }

    public NetworkStack Stack { get; }

    public StackHost Host { get; }

    public static RunningStack Start(ParseResult result, InterfaceOptions iface, StackOptions options, IStackLogger logger)
    {
        string tapName = result.GetValue(iface.Tap)!;
        TapDevice tap = TapDevice.Open(tapName, options.Mtu);
        ILinkDevice link = tap;
        FaultInjectingLink? faults = null;
        StopwatchClock clock = new();
        try
        {
            FaultOptions faultOptions = iface.ToFaultOptions(result);
            if (!faultOptions.IsEmpty)
            {
                link = faults = new FaultInjectingLink(link, faultOptions);
            }

            // The capture sits between the stack and the fault injector: it shows what the stack
            // received (with its verdict) and what it sent (with its reason).
            if (result.GetValue(iface.Capture) is string path)
            {
                link = new CapturingLink(link, CaptureWriter.Create(path, clock.WallClockAtZero, tap.Name));
            }

            NetworkStack stack = new(options);
            StackHost host = new(stack, link, clock);
            host.Start();
            logger.Log(StackLogLevel.Info, $"TinyStack {options.Address} ({options.Mac}) on {tap.Name}, mtu {options.Mtu}"
                + (options.Gateway is { } gw ? $", gateway {gw}" : string.Empty)
                + (faults is null ? string.Empty : $", faults: {faultOptions.Describe()}")
                + (link is CapturingLink ? $", capture {result.GetValue(iface.Capture)}" : string.Empty));
            return new RunningStack(faults, (link as CapturingLink)?.Writer, link, stack, host);
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }

    public void Stop()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Host.Stop();
        _capture?.Flush();
        (Stack.Options.Tcp.TraceSink as TraceDirectory)?.WriteRemaining();
    }

    public string Summary()
    {
        StringBuilder text = new();
        text.AppendLine("TinyStack counters:");
        foreach ((string name, long value) in Stack.Stats.NonZeroCounters())
        {
            text.AppendLine($"  {name,-32} {value,12}");
        }

        if (_faults is not null)
        {
            text.AppendLine($"  fault injector: {_faults.Stats}");
        }

        return text.ToString().TrimEnd();
    }

    public void Dispose()
    {
        Stop();
        Host.Dispose();
        _link.Dispose();
    }
}
