using TinyStack.Tcp.Congestion;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// One TCP connection: its transmission control block (RFC 9293 §3.3.1) and the application's
/// view of it. It is driven by the <see cref="TcpLayer"/> on the stack's single thread: segments
/// arrive through the layer, timers are data (<see cref="Deadline"/>) that the layer's heap
/// orders, and application calls (<see cref="Send"/>, <see cref="Receive"/>, <see cref="Close"/>)
/// only change buffers and flags; the segments they cause go out at the layer's next
/// <see cref="TcpLayer.Poll"/>, which <see cref="TcpLayer.NextDeadline"/> asks for at once.
/// The class is split by concern: Input (segment arrival), Acknowledgment (the ACK field,
/// RTT, loss recovery), Reassembly (the receive ring), Output (what to send), Timers.
/// </summary>
public sealed partial class TcpConnection : IDeadlineItem, INotifiable
{
    private const int EventConnected = 1;
    private const int EventReadable = 2;
    private const int EventWritable = 4;
    private const int EventClosed = 8;

    // RFC 7323 §2.3: the shift count is at most 14.
    private const int MaxWindowShift = 14;

    private readonly TcpLayer _layer;
    private readonly TcpSettings _settings;
    private readonly ByteRing _sendBuffer;
    private readonly ByteRing _receiveBuffer;
    private readonly RttEstimator _rtt;
    private readonly uint _tsOffset;

    private ICongestionControl _congestion;
    private ITcpConnectionObserver? _observer;
    private int _pendingEvents;
    private Instant _heapDeadline = Instant.MaxValue;

    // Send sequence variables (RFC 9293 §3.3.1, Figure 4).
    private SeqNumber _iss;
    private SeqNumber _sndUna;
    private SeqNumber _sndNxt;
    private uint _sndWnd;
    private SeqNumber _sndWl1;
    private SeqNumber _sndWl2;
    private uint _maxSndWnd;

    // Receive sequence variables (RFC 9293 §3.3.1, Figure 5). RCV.WND is the right edge we last
    // advertised minus RCV.NXT, so that the edge never moves left (RFC 9293 §3.8.6).
    private SeqNumber _irs;
    private SeqNumber _rcvNxt;
    private SeqNumber _rcvAdvertisedEdge;
    private int _synWindow;

    // Negotiated options (RFC 9293 §3.7.1, RFC 7323, RFC 2018).
    private int _sndShift;
    private int _rcvShift;
    private bool _peerOfferedWindowScale;
    private bool _timestampsEnabled;
    private bool _sackEnabled;
    private int _peerMss;
    private int _sndMss;
    private int _rcvMss;
    private uint _tsRecent;
    private Instant _tsRecentTime;
    private SeqNumber _lastAckSent;

    // Our stream: the send ring holds the bytes from _sndDataStart (the first unacknowledged data
    // byte) on; our FIN, once the application shut down writing, takes the number after the last byte.
    private SeqNumber _sndDataStart;
    private bool _finQueued;
    private bool _finSent;
    private bool _writeBlocked;
    private bool _appClosed;
    private bool _wasEstablished;
    private bool _closeNotified;
    private SeqNumber _sndSml;

    // Their stream: the receive ring holds unread bytes, then out-of-order ranges past RCV.NXT.
    private readonly SeqRangeSet _outOfOrder;
    private readonly SeqNumber[] _sackRecency = new SeqNumber[TcpOptions.MaxSackBlocks];
    private int _sackRecencyCount;
    private SackBlock _dsack;
    private bool _dsackPending;
    private bool _finReceived;
    private bool _finPending;
    private SeqNumber _pendingFinSeq;

    // Loss recovery (RFC 5681, RFC 6675) and the SACK scoreboard.
    private readonly SeqRangeSet _scoreboard;
    private int _dupAcks;

    // RFC 3042 §2: new data sent on the duplicate ACKs before recovery (limited transmit) "MUST NOT
    // be included" in FlightSize when fast recovery sets ssthresh (RFC 5681 §3.2 step 2). Counted
    // while _dupAcks > 0 outside recovery; cleared with it (RestartDuplicateAckCount).
    private uint _limitedTransmitBytes;
    private bool _inFastRecovery;
    private bool _inLossRecovery;
    private SeqNumber _recoveryPoint;
    private SeqNumber _highRxt;
    private TxReason _lossRetransmitReason;
    private int _fastRetransmitsPending;

    // RTT measurement (RFC 6298 with Karn's rule; RFC 7323 §4 with timestamps).
    private bool _rttTiming;
    private SeqNumber _rttSeq;
    private Instant _rttStart;

    // Acknowledgment policy (RFC 9293 §3.8.6.3, RFC 5681 §4.2).
    private bool _ackNow;
    private bool _windowUpdatePending;
    private TxReason _ackReason;
    private int _unackedBytes;
    private Instant _lastInvalidAck = Instant.MaxValue;

    // Timers as data. Instant.MaxValue means "not armed".
    private Instant _retransmitAt = Instant.MaxValue;
    private Instant _persistAt = Instant.MaxValue;
    private Instant _delayedAckAt = Instant.MaxValue;
    private Instant _keepAliveAt = Instant.MaxValue;
    private Instant _closeAt = Instant.MaxValue;
    private bool _outputPending;
    private bool _synPending;
    private int _synRetransmits;
    private int _persistProbes;
    private int _persistBackoff;
    private int _keepAliveProbes;
    private Instant _lastReceived;
    private Instant _lastDataSent;
    private Instant _oldestUnackedSince = Instant.MaxValue;
    private TcpError _softError;

    internal TcpConnection(TcpLayer layer, TcpTuple tuple, TcpListener? listener, Instant now)
    {
        _layer = layer;
        _settings = layer.Settings;
        Tuple = tuple;
        Listener = listener;
        _sendBuffer = new ByteRing(_settings.SendBufferSize, _settings.InitialBufferSize);

        // Slack of one window-scale unit: the advertised edge is rounded up to keep it from
        // moving left (RFC 7323 §2.4), and the data up to that edge must fit.
        _receiveBuffer = new ByteRing(_settings.ReceiveBufferSize + (1 << MaxWindowShift), _settings.InitialBufferSize);
        _outOfOrder = new SeqRangeSet(_settings.MaxOutOfOrderRanges);
        _scoreboard = new SeqRangeSet(32);
        _rtt = new RttEstimator(_settings.InitialRto, _settings.MinRto, _settings.MaxRto);
        _tsOffset = layer.Secrets.TimestampOffset(tuple);
        NoDelay = _settings.NoDelay;
        KeepAlive = _settings.KeepAlive;
        _rcvShift = _settings.WindowScaling ? ChooseWindowShift(_settings.ReceiveBufferSize) : 0;
        _peerMss = _settings.DefaultMss;
        int pathMss = layer.PathMss(tuple.RemoteAddress);
        _sndMss = Math.Min(_peerMss, pathMss);
        _rcvMss = Math.Min(_settings.DefaultMss, pathMss);
        _congestion = CreateCongestionControl(_sndMss);
        _lastReceived = now;
        _lastDataSent = now;
    }

    /// <summary>Local and remote address and port.</summary>
    public TcpTuple Tuple { get; }

    public TcpState State { get; private set; }

    /// <summary>Why the connection ended; <see cref="TcpError.None"/> while open or after an orderly close.</summary>
    public TcpError Error { get; private set; }

    /// <summary>Receives this connection's readiness notifications. Setting it reports the current readiness at once.</summary>
    public ITcpConnectionObserver? Observer
    {
        get => _observer;
        set
        {
            _observer = value;
            if (value is not null)
            {
                int events = 0;
                if (IsSynchronized(State) || (State == TcpState.Closed && _wasEstablished))
                {
                    events |= EventConnected;
                }

                if (ReadableBytes > 0 || _finReceived)
                {
                    events |= EventReadable;
                }

                if (State is TcpState.Closed or TcpState.TimeWait)
                {
                    events |= EventClosed;
                }

                // Delivered at the layer's next Poll, which NextDeadline asks for at once.
                Signal(events);
            }
        }
    }

    /// <summary>Disables Nagle's algorithm (TCP_NODELAY).</summary>
    public bool NoDelay { get; set; }

    /// <summary>Sends keepalive probes when the connection is idle (SO_KEEPALIVE).</summary>
    public bool KeepAlive { get; set; }

    /// <summary>Bytes that <see cref="Receive"/> can return now.</summary>
    public int ReadableBytes => _receiveBuffer.Count;

    /// <summary>True once the peer's FIN arrived and every byte before it has been read: end of stream.</summary>
    public bool IsEndOfStream => _finReceived && _receiveBuffer.Count == 0;

    /// <summary>Free space in the send buffer: how much <see cref="Send"/> would accept now.</summary>
    public int WritableBytes => CanSend ? _sendBuffer.Limit - _sendBuffer.Count : 0;

    /// <summary>Whether <see cref="Send"/> may be called (the connection is open and writing was not shut down).</summary>
    public bool CanSend => !_finQueued && State is TcpState.SynSent or TcpState.SynReceived or TcpState.Established or TcpState.CloseWait;

    /// <summary>Bytes sent but not yet acknowledged, plus bytes not yet sent.</summary>
    public int BufferedSendBytes => _sendBuffer.Count;

    /// <summary>SND.UNA: the oldest unacknowledged sequence number.</summary>
    public SeqNumber SndUna => _sndUna;

    /// <summary>SND.NXT: the next sequence number to send.</summary>
    public SeqNumber SndNxt => _sndNxt;

    /// <summary>SND.WND: the peer's window in bytes (scaled).</summary>
    public uint SndWnd => _sndWnd;

    /// <summary>RCV.NXT: the next sequence number expected.</summary>
    public SeqNumber RcvNxt => _rcvNxt;

    /// <summary>RCV.NXT + RCV.WND: the right edge of the window we last advertised (it never moves left).</summary>
    internal SeqNumber RcvAdvertisedEdge => _rcvAdvertisedEdge;

    /// <summary>Our initial send sequence number.</summary>
    public SeqNumber Iss => _iss;

    /// <summary>The peer's initial sequence number.</summary>
    public SeqNumber Irs => _irs;

    /// <summary>The largest payload we put in one segment, before options.</summary>
    public int SendMss => _sndMss;

    /// <summary>The congestion window in bytes.</summary>
    public uint Cwnd => _congestion.Cwnd;

    /// <summary>The congestion controller of this connection.</summary>
    public ICongestionControl CongestionControl => _congestion;

    /// <summary>The current retransmission timeout, backoff included.</summary>
    public Duration Rto => _rtt.Rto;

    /// <summary>The smoothed round-trip time (zero before the first sample).</summary>
    public Duration Srtt => _rtt.Srtt;

    /// <summary>Whether timestamps (RFC 7323) were negotiated.</summary>
    public bool TimestampsEnabled => _timestampsEnabled;

    /// <summary>Whether SACK (RFC 2018) was negotiated.</summary>
    public bool SackEnabled => _sackEnabled;

    /// <summary>Our send and receive window shift counts (RFC 7323 §2), 0 when scaling is off.</summary>
    public (int Send, int Receive) WindowShifts => (_sndShift, _rcvShift);

    /// <summary>Bytes of array the send ring holds now (0 while idle).</summary>
    internal int SendBufferCapacity => _sendBuffer.Capacity;

    /// <summary>Bytes of array the receive ring holds now (0 while idle).</summary>
    internal int ReceiveBufferCapacity => _receiveBuffer.Capacity;

    /// <summary>Whether fast recovery (RFC 6675) is in progress.</summary>
    internal bool InFastRecovery => _inFastRecovery;

    /// <summary>Bytes the send log holds as lost and not yet retransmitted (RACK-TLP on).</summary>
    internal int LostBytes => _sent?.LostBytes ?? 0;

    /// <summary>Whether recovery after a retransmission timeout is in progress.</summary>
    internal bool InLossRecovery => _inLossRecovery;

    /// <summary>The listener that created this connection, until it is accepted; null for active opens.</summary>
    public TcpListener? Listener { get; internal set; }

    /// <summary>Whether this connection occupies a slot of its listener's SYN queue.</summary>
    internal bool WasCountedInSynQueue { get; set; }

    Instant IDeadlineItem.Deadline => _heapDeadline;

    int IDeadlineItem.HeapIndex { get; set; } = -1;

    /// <summary>
    /// SEND (RFC 9293 §3.10.2): copies as much of <paramref name="data"/> as fits into the send
    /// buffer and returns the count; 0 means the buffer is full (an OnWritable notification follows
    /// when space frees up). Data queued before the handshake completes is sent after it.
    /// </summary>
    public int Send(ReadOnlySpan<byte> data)
    {
        if (!CanSend)
        {
            throw new InvalidOperationException(State == TcpState.Closed
                ? $"Cannot send on a closed connection ({Error}); check State before sending."
                : $"Cannot send after ShutdownWrite or Close (state {State}); open a new connection.");
        }

        int taken = _sendBuffer.Append(data);
        if (taken < data.Length)
        {
            _writeBlocked = true;
        }

        if (taken > 0)
        {
            RequestOutput();
        }

        return taken;
    }

    /// <summary>
    /// RECEIVE (RFC 9293 §3.10.3): copies buffered in-order bytes into <paramref name="destination"/>
    /// and returns the count; 0 when nothing is buffered (see <see cref="IsEndOfStream"/>). Reading
    /// opens the receive window; a window update goes out when it opened enough (RFC 9293 §3.8.6.2.2).
    /// </summary>
    public int Receive(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _receiveBuffer.Count);
        if (n == 0)
        {
            return 0;
        }

        _receiveBuffer.CopyTo(0, destination[..n]);
        _receiveBuffer.Discard(n);
        if (IsSynchronized(State) && WindowUpdateWorthSending())
        {
            _windowUpdatePending = true;
            RequestOutput();
        }

        return n;
    }

    /// <summary>
    /// Half-close (shutdown(SHUT_WR)): a FIN follows the queued data; the peer may keep sending.
    /// RFC 9293 §3.10.4 CLOSE for the sending direction.
    /// </summary>
    public void ShutdownWrite()
    {
        switch (State)
        {
            case TcpState.SynSent:
            case TcpState.SynReceived:
                // Queued: the FIN goes out once the connection is established.
                _finQueued = true;
                break;
            case TcpState.Established:
                _finQueued = true;
                SetState(TcpState.FinWait1);
                RequestOutput();
                break;
            case TcpState.CloseWait:
                _finQueued = true;
                SetState(TcpState.LastAck);
                RequestOutput();
                break;
            default:
                // Already closing or closed: CLOSE is idempotent for the application.
                break;
        }
    }

    /// <summary>
    /// CLOSE (RFC 9293 §3.10.4) for both directions: as ShutdownWrite, and the application reads
    /// no more. As Linux (and RFC 2525 §2.17), unread data or data arriving later makes it a
    /// reset, so the peer learns its data was not consumed. An orphaned FIN-WAIT-2 lasts
    /// <see cref="TcpSettings.FinWait2Timeout"/>.
    /// </summary>
    public void Close()
    {
        _appClosed = true;
        switch (State)
        {
            case TcpState.Closed:
            case TcpState.TimeWait:
                return;
            case TcpState.SynSent:
                // "Delete the TCB ... any outstanding SENDs ... receive 'error: closing'".
                Terminate(TcpError.None);
                return;
        }

        if (_receiveBuffer.Count > 0)
        {
            Abort(TcpResetCause.CloseWithUnreadData);
            return;
        }

        ShutdownWrite();
    }

    /// <summary>
    /// ABORT (RFC 9293 §3.10.5): in the synchronized states a RST goes out (at the layer's next
    /// Poll, like all output caused by application calls), queued data is discarded, and the
    /// connection is closed with <see cref="TcpError.Aborted"/> at once.
    /// </summary>
    public void Abort() => Abort(TcpResetCause.ApplicationAbort);

    /// <summary>ABORT for a stated reason, which the RST's note carries.</summary>
    internal void Abort(TcpResetCause cause)
    {
        _appClosed = true;
        if (State is TcpState.SynReceived or TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2 or TcpState.CloseWait)
        {
            // <SEQ=SND.NXT><CTL=RST>.
            _layer.QueueReset(Tuple, _sndNxt, cause, _congestion.Cwnd, _rtt.Rto);
        }

        if (State != TcpState.Closed)
        {
            Terminate(TcpError.Aborted);
        }
    }

    public override string ToString() => $"{Tuple} {State}";

    internal static bool IsSynchronized(TcpState state) => state >= TcpState.Established;

    /// <summary>Marks output as due at the layer's next Poll (application calls carry no time).</summary>
    private void RequestOutput()
    {
        if (!_outputPending)
        {
            _outputPending = true;
            Reschedule();
        }
    }

    private void SetState(TcpState state)
    {
        TcpState old = State;
        if (old == state)
        {
            return;
        }

        State = state;
        bool wasCounted = old is TcpState.Established or TcpState.CloseWait;
        bool isCounted = state is TcpState.Established or TcpState.CloseWait;
        if (wasCounted != isCounted)
        {
            _layer.Stats.CurrentEstablished += isCounted ? 1 : -1;
        }

        if ((old == TcpState.TimeWait) != (state == TcpState.TimeWait))
        {
            _layer.Stats.CurrentTimeWait += state == TcpState.TimeWait ? 1 : -1;
        }

        _layer.OnStateChanged(this, old, state);
        TraceStateChange();
    }

    /// <summary>Ends the connection: CLOSED, buffers released, removed from the layer, observer told.</summary>
    private void Terminate(TcpError error)
    {
        if (State == TcpState.Closed)
        {
            return;
        }

        Error = error;
        SetState(TcpState.Closed);
        _sendBuffer.Release();
        if (error != TcpError.None)
        {
            _receiveBuffer.Release();
        }

        _outOfOrder.Clear();
        _scoreboard.Clear();
        _retransmitAt = _persistAt = _delayedAckAt = _keepAliveAt = _closeAt = Instant.MaxValue;
        _outputPending = false;
        _layer.Remove(this);

        // TIME-WAIT already told the observer; the end of the wait is not news to it.
        if (!_closeNotified)
        {
            _closeNotified = true;
            Signal(EventReadable | EventWritable | EventClosed);
        }
    }

    private void Signal(int events)
    {
        if (events == 0)
        {
            return;
        }

        if (_pendingEvents == 0)
        {
            _layer.QueueNotification(this);
        }

        _pendingEvents |= events;
    }

    void INotifiable.DeliverNotifications()
    {
        int events = _pendingEvents;
        _pendingEvents = 0;
        ITcpConnectionObserver? observer = _observer;
        if (observer is null || events == 0)
        {
            return;
        }

        if ((events & EventConnected) != 0)
        {
            observer.OnConnected(this);
        }

        if ((events & EventReadable) != 0)
        {
            observer.OnReadable(this);
        }

        if ((events & EventWritable) != 0)
        {
            observer.OnWritable(this);
        }

        if ((events & EventClosed) != 0)
        {
            observer.OnClosed(this, Error);
        }
    }

    /// <summary>RFC 7323 §2.3: the smallest shift that lets the 16-bit field describe the whole buffer.</summary>
    internal static int ChooseWindowShift(int bufferSize)
    {
        int shift = 0;
        while (shift < MaxWindowShift && (bufferSize >> shift) > ushort.MaxValue)
        {
            shift++;
        }

        return shift;
    }
}
