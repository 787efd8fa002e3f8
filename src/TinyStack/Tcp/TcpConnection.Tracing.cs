using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;
using TinyStack.Time;

namespace TinyStack.Tcp;

/// <summary>
/// The choice of congestion control per connection, and the congestion trace: a bounded ring of
/// samples taken after every segment and at every congestion event (loss, timeout, recovery
/// exit, idle restart, state change), for plots and post-mortems.
/// </summary>
public sealed partial class TcpConnection
{
    private Func<int, ICongestionControl>? _congestionFactory;
    private TcpTrace? _trace;
    private bool _traceCompleted;
    private int _retransmits;

    /// <summary>
    /// Creates this connection's congestion controller (given the sender MSS). Defaults to the
    /// listener's <see cref="TcpListener.CongestionControl"/>, else
    /// <see cref="TcpSettings.CongestionControl"/>. It may be changed until the handshake
    /// completes, e.g. right after <see cref="TcpLayer.Connect"/>; the new algorithm starts afresh.
    /// </summary>
    public Func<int, ICongestionControl> CongestionControlFactory
    {
        get => _congestionFactory ?? Listener?.CongestionControl ?? _settings.CongestionControl;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (IsSynchronized(State) || _wasEstablished)
            {
                throw new InvalidOperationException(
                    $"The congestion control of {Tuple} can only be chosen before the handshake completes (state {State}); set it right after Connect, or use TcpSettings.CongestionControl.");
            }

            _congestionFactory = value;
            _congestion = value(EffectiveMss);
        }
    }

    /// <summary>
    /// This connection's congestion trace, or null. Created when the connection is established if
    /// <see cref="TcpSettings.TraceCapacity"/> is positive; an application may also attach its own
    /// ring at any time (or detach it with null).
    /// </summary>
    public TcpTrace? Trace
    {
        get => _trace;
        set
        {
            _trace = value;
            _traceCompleted = false;
        }
    }

    /// <summary>Segments this connection has retransmitted (fast, SACK-based and timeout retransmissions, and its SYN or SYN-ACK).</summary>
    public int Retransmits => _retransmits;

    private ICongestionControl CreateCongestionControl(int mss) => CongestionControlFactory(mss);

    /// <summary>On establishment: create the ring the settings ask for and tell the sink.</summary>
    private void StartTrace(Instant now)
    {
        if (_trace is null && _settings.TraceCapacity > 0)
        {
            _trace = new TcpTrace(_settings.TraceCapacity) { Label = $"{Tuple} {_congestion.Name}" };
            _settings.TraceSink?.OnTraceStarted(this, _trace);
        }

        TraceEvent(now, TcpTraceEvent.StateChanged);
    }

    /// <summary>Records one row of the current state. Allocates nothing.</summary>
    private void TraceEvent(Instant now, TcpTraceEvent reason)
    {
        if (_trace is null)
        {
            return;
        }

        CongestionPhase phase = _inFastRecovery ? CongestionPhase.FastRecovery
            : _inLossRecovery ? CongestionPhase.LossRecovery
            : _congestion.Phase;
        int rcvWnd = _rcvAdvertisedEdge - _rcvNxt;
        _trace.Record(new TcpTraceSample(
            now, reason, State, phase, _congestion.Cwnd, _congestion.Ssthresh, (uint)Pipe(),
            _rtt.Srtt, _rtt.RttVar, _rtt.Rto, _sndUna, _sndNxt, _sndWnd, (uint)Math.Max(0, rcvWnd), _retransmits,
            _limitedTransmitBytes));
    }

    /// <summary>
    /// A state change: a row at the trace's latest time (application calls carry no time), and at
    /// TIME-WAIT or CLOSED the sink learns that the trace is complete.
    /// </summary>
    private void TraceStateChange()
    {
        if (_trace is null)
        {
            return;
        }

        TraceEvent(_trace.LastTime, TcpTraceEvent.StateChanged);
        if (State is TcpState.TimeWait or TcpState.Closed && !_traceCompleted)
        {
            _traceCompleted = true;
            _settings.TraceSink?.OnTraceCompleted(this, _trace);
        }
    }
}
