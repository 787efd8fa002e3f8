using System.CommandLine;
using System.Reflection;
using System.Text;
using TinyStack.Host;
using TinyStack.Host.Capture;
using TinyStack.Host.Links;
using TinyStack.Host.Tap;
using TinyStack.Host.Tracing;
using TinyStack.Tcp;

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

    /// <param name="beforeReady">
    /// Runs once the stack thread runs and before the "TinyStack ... on TAP" line that tells
    /// scripts the stack is up, e.g. to start listening first.
    /// </param>
    public static RunningStack Start(ParseResult result, InterfaceOptions iface, StackOptions options, IStackLogger logger, Action<StackHost>? beforeReady = null)
    {
        string tapName = result.GetValue(iface.Tap)!;
        TapDevice tap = TapDevice.Open(tapName, options.Mtu);
        ILinkDevice link = tap;
        FaultInjectingLink? faults = null;
        StopwatchClock clock = new();
        StackHost? host = null;
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
            host = new(stack, link, clock);
            host.Start();
            beforeReady?.Invoke(host);
            logger.Log(StackLogLevel.Info, $"TinyStack {options.Address} ({options.Mac}) on {tap.Name}, mtu {options.Mtu}"
                + (options.Gateway is { } gw ? $", gateway {gw}" : string.Empty)
                + (faults is null ? string.Empty : $", faults: {faultOptions.Describe()}")
                + (link is CapturingLink ? $", capture {result.GetValue(iface.Capture)}" : string.Empty));
            return new RunningStack(faults, (link as CapturingLink)?.Writer, link, stack, host);
        }
        catch
        {
            host?.Dispose();
            link.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits until every connection is closed, in TIME-WAIT, or in FIN-WAIT-2 (our FIN is
    /// acknowledged; only the peer's close is missing), so that a FIN just sent is acknowledged
    /// before the stack stops; at most <paramref name="patience"/>.
    /// </summary>
    public void WaitForConnectionsToFinish(TimeSpan patience)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < patience && Host.IsRunning)
        {
            using var done = new ManualResetEventSlim();
            bool finished = false;
            Host.Post(stack =>
            {
                finished = stack.Tcp.Connections.All(c => c.State is TcpState.TimeWait or TcpState.Closed or TcpState.FinWait2);
                done.Set();
            });
            if (!done.Wait(patience) || finished)
            {
                return;
            }

            Thread.Sleep(10);
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

        text.AppendLine("TCP counters:");
        foreach ((string name, long value) in TcpCounters(Stack.Tcp.Stats))
        {
            text.AppendLine($"  {name,-32} {value,12}");
        }

        text.AppendLine($"  {ConnectionStates(Stack.Tcp)}");
        StackHostCounters host = Host.Counters;
        text.AppendLine($"Host loop: {host.Wakeups} wake-ups, {host.FramesReceived} frames in, {host.FramesTransmitted} out, {host.WorkItems} posted work items, {host.AllocatedBytes} bytes allocated on the stack thread");
        if (_faults is not null)
        {
            text.AppendLine($"  fault injector: {_faults.Stats}");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// One line: how many connections the stack holds, by state, e.g.
    /// <c>tcp connections: 3 (ESTABLISHED 1, TIME-WAIT 2)</c>. While the host runs it is counted on
    /// the stack thread; after <see cref="Stop"/> directly.
    /// </summary>
    public string ConnectionStates()
    {
        if (_stopped || !Host.IsRunning)
        {
            return ConnectionStates(Stack.Tcp);
        }

        using var done = new ManualResetEventSlim();
        string line = "tcp connections: unknown (the stack did not answer)";
        Host.Post(stack =>
        {
            line = ConnectionStates(stack.Tcp);
            done.Set();
        });
        done.Wait(TimeSpan.FromSeconds(5));
        return line;
    }

    /// <summary>Counts <paramref name="tcp"/>'s connections by state (stack thread, or a stopped stack).</summary>
    public static string ConnectionStates(TcpLayer tcp)
    {
        int[] counts = new int[Enum.GetValues<TcpState>().Length];
        foreach (TcpConnection connection in tcp.Connections)
        {
            counts[(int)connection.State]++;
        }

        IEnumerable<string> parts = Enum.GetValues<TcpState>()
            .Where(state => counts[(int)state] > 0)
            .Select(state => $"{StateName(state)} {counts[(int)state]}");
        return $"tcp connections: {tcp.ConnectionCount}" + (tcp.ConnectionCount > 0 ? $" ({string.Join(", ", parts)})" : string.Empty);
    }

    /// <summary>The RFC 9293 name of a state, as netstat prints it (TIME-WAIT, not TimeWait).</summary>
    public static string StateName(TcpState state) => state switch
    {
        TcpState.SynSent => "SYN-SENT",
        TcpState.SynReceived => "SYN-RECEIVED",
        TcpState.FinWait1 => "FIN-WAIT-1",
        TcpState.FinWait2 => "FIN-WAIT-2",
        TcpState.CloseWait => "CLOSE-WAIT",
        TcpState.LastAck => "LAST-ACK",
        TcpState.TimeWait => "TIME-WAIT",
        _ => state.ToString().ToUpperInvariant(),
    };

    /// <summary>Every nonzero counter of <see cref="TcpStats"/> (its public long properties), by name.</summary>
    private static IEnumerable<(string Name, long Value)> TcpCounters(TcpStats stats)
    {
        foreach (PropertyInfo property in typeof(TcpStats).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.PropertyType == typeof(long) && property.GetValue(stats) is long value && value != 0)
            {
                yield return ("tcp." + property.Name, value);
            }
        }
    }

    public void Dispose()
    {
        Stop();
        Host.Dispose();
        _link.Dispose();
    }
}
