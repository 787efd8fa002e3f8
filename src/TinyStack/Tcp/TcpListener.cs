using TinyStack.Tcp.Congestion;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// A passive OPEN (RFC 9293 §3.10.1) on one port: the LISTEN state. New connections wait
/// half-open in the SYN queue and, once established, in the accept queue until
/// <see cref="Accept"/> takes them; both are bounded by the backlog (as Linux). When the SYN
/// queue is full the listener answers with SYN cookies (RFC 4987 §3.6) and keeps no state.
/// </summary>
public sealed class TcpListener : INotifiable
{
    private readonly TcpLayer _layer;
    private readonly Queue<TcpConnection> _acceptQueue = new();
    private Instant _lastCookieSent = Instant.MaxValue;
    private bool _notificationPending;

    internal TcpListener(TcpLayer layer, ushort port, int backlog)
    {
        _layer = layer;
        Port = port;
        Backlog = backlog;
    }

    public ushort Port { get; }

    /// <summary>Most connections waiting half-open, and most waiting to be accepted.</summary>
    public int Backlog { get; }

    public bool IsClosed { get; private set; }

    /// <summary>
    /// The congestion control of connections this listener creates from now on; null uses
    /// <see cref="TcpSettings.CongestionControl"/>. (Accepted connections are already established,
    /// so this is where a server chooses per port.)
    /// </summary>
    public Func<int, ICongestionControl>? CongestionControl { get; set; }

    /// <summary>Connections ready for <see cref="Accept"/>.</summary>
    public int PendingCount => _acceptQueue.Count;

    /// <summary>Half-open connections (SYN-RECEIVED).</summary>
    public int SynQueueLength { get; private set; }

    /// <summary>Told when a connection becomes ready to accept. Setting it reports a non-empty queue at once.</summary>
    public ITcpListenerObserver? Observer
    {
        get => field;
        set
        {
            field = value;
            if (value is not null && _acceptQueue.Count > 0)
            {
                QueueNotification();
            }
        }
    }

    /// <summary>Takes the oldest established connection, or returns null when none is waiting.</summary>
    public TcpConnection? Accept()
    {
        if (!_acceptQueue.TryDequeue(out TcpConnection? connection))
        {
            return null;
        }

        connection.Listener = null;
        return connection;
    }

    /// <summary>Stops listening. Connections not yet accepted are reset, as Linux does on close().</summary>
    public void Close()
    {
        if (IsClosed)
        {
            return;
        }

        IsClosed = true;
        _layer.RemoveListener(this);
        while (_acceptQueue.TryDequeue(out TcpConnection? connection))
        {
            connection.Listener = null;
            connection.Abort(TcpResetCause.ListenerClosed);
        }

        _layer.AbortHalfOpen(this);
    }

    internal bool HasRoomToAccept => _acceptQueue.Count < Backlog;

    /// <summary>A half-open connection died (RST, timeout) before its handshake completed.</summary>
    internal void OnHalfOpenGone(TcpConnection connection)
    {
        if (connection.WasCountedInSynQueue)
        {
            connection.WasCountedInSynQueue = false;
            SynQueueLength--;
        }
    }

    /// <summary>A half-open connection completed its handshake: SYN queue to accept queue.</summary>
    internal void OnEstablished(TcpConnection connection)
    {
        if (connection.WasCountedInSynQueue)
        {
            connection.WasCountedInSynQueue = false;
            SynQueueLength--;
        }

        _acceptQueue.Enqueue(connection);
        QueueNotification();
    }

    /// <summary>RFC 9293 §3.10.7.2: a segment for the LISTEN state (no connection matched).</summary>
    internal DropReason HandleSegment(TcpSegment segment, in TcpOptions options, TcpTuple tuple, Instant now, SeqNumber? issHint)
    {
        TcpFlags flags = segment.Flags;
        TcpStats stats = _layer.Stats;

        // First, check for a RST: "An incoming RST segment could not be valid, since it could not
        // have been sent in response to anything sent by this incarnation of the connection."
        if ((flags & TcpFlags.Rst) != 0)
        {
            return stats.Drop(DropReason.TcpRstIgnored);
        }

        // Second, check for an ACK: any acknowledgment is bad in LISTEN, "<SEQ=SEG.ACK><CTL=RST>" —
        // unless it completes a handshake we answered with a SYN cookie.
        if ((flags & TcpFlags.Ack) != 0)
        {
            if ((flags & TcpFlags.Syn) == 0 && CookiesRecentlySent(now))
            {
                if (TryCompleteCookieHandshake(segment, options, tuple, now, out DropReason result))
                {
                    return result;
                }
            }

            _layer.SendReset(tuple, segment.AcknowledgmentNumber, default, TcpFlags.Rst, TcpResetCause.AckInListen);
            return stats.Drop(DropReason.TcpNoConnection);
        }

        // Third, check for a SYN.
        if ((flags & TcpFlags.Syn) != 0)
        {
            if (!HasRoomToAccept)
            {
                // As Linux: with the accept queue full, SYNs are dropped (the peer retries).
                stats.ListenOverflows++;
                return stats.Drop(DropReason.TcpListenQueueFull);
            }

            if (SynQueueLength >= Backlog)
            {
                if (!_layer.Settings.SynCookies)
                {
                    stats.ListenOverflows++;
                    return stats.Drop(DropReason.TcpListenQueueFull);
                }

                SendCookieSynAck(segment, options, tuple, now);
                return DropReason.Accepted;
            }

            SeqNumber iss = issHint ?? new SeqNumber(_layer.Secrets.InitialSequenceNumber(tuple, now));
            var connection = new TcpConnection(_layer, tuple, this, now);
            connection.WasCountedInSynQueue = true;
            SynQueueLength++;
            _layer.Add(connection);
            connection.OpenPassive(segment, options, iss, now);
            return DropReason.Accepted;
        }

        // Fourth, other text or control: drop.
        return stats.Drop(DropReason.TcpNoConnection);
    }

    private bool CookiesRecentlySent(Instant now) =>
        _lastCookieSent != Instant.MaxValue && now - _lastCookieSent <= Duration.FromSeconds(128);

    /// <summary>RFC 4987 §3.6: a stateless SYN-ACK whose ISN is the cookie.</summary>
    private void SendCookieSynAck(TcpSegment syn, in TcpOptions options, TcpTuple tuple, Instant now)
    {
        TcpSettings settings = _layer.Settings;
        int peerMss = options.Mss is ushort mss && mss > 0 ? mss : settings.DefaultMss;
        int mssIndex = SynCookies.MssIndex(peerMss);
        uint cookie = SynCookies.Encode(_layer.Secrets, tuple, syn.SequenceNumber, mssIndex, now);

        // Window scale and SACK can only be remembered through the timestamp (as Linux).
        bool timestamps = settings.Timestamps && options.Timestamps.HasValue;
        int? peerShift = timestamps && settings.WindowScaling && options.WindowScale is byte shift ? shift : null;
        bool sack = timestamps && settings.Sack && options.SackPermitted;
        var replyOptions = new TcpOptions { Mss = (ushort)Math.Min(_layer.PathMss(tuple.RemoteAddress), ushort.MaxValue) };
        if (timestamps)
        {
            uint clock = unchecked((uint)(now.Microseconds / 1000) + _layer.Secrets.TimestampOffset(tuple));
            uint tsVal = SynCookies.EncodeTimestamp(clock, peerShift, sack);
            replyOptions = replyOptions with
            {
                Timestamps = new TcpTimestamps(tsVal, options.Timestamps!.Value.TsVal),
                SackPermitted = sack,
                WindowScale = peerShift.HasValue ? (byte)_layer.ReceiveWindowShift : null,
            };
        }

        ushort window = (ushort)Math.Min(settings.ReceiveBufferSize, ushort.MaxValue);
        var header = new TcpHeader(tuple.LocalPort, tuple.RemotePort, new SeqNumber(cookie), syn.SequenceNumber + 1,
            TcpFlags.Syn | TcpFlags.Ack, window, replyOptions);
        _layer.SendHeaderOnly(tuple, header, TxReason.TcpSynAck);
        _layer.Stats.SynCookiesSent++;
        _lastCookieSent = now;
    }

    private bool TryCompleteCookieHandshake(TcpSegment ack, in TcpOptions options, TcpTuple tuple, Instant now, out DropReason result)
    {
        result = DropReason.Accepted;
        uint cookie = (ack.AcknowledgmentNumber - 1).Value;
        if (!SynCookies.TryDecode(_layer.Secrets, tuple, cookie, ack.SequenceNumber - 1, now, out int mss))
        {
            _layer.Stats.SynCookiesFailed++;
            return false;
        }

        if (!HasRoomToAccept)
        {
            _layer.Stats.ListenOverflows++;
            result = _layer.Stats.Drop(DropReason.TcpListenQueueFull);
            return true;
        }

        int? shift = null;
        bool sack = false;
        bool timestamps = _layer.Settings.Timestamps && options.Timestamps.HasValue;
        if (timestamps)
        {
            SynCookies.DecodeTimestamp(options.Timestamps!.Value.TsEcr, out shift, out sack);
        }

        _layer.Stats.SynCookiesReceived++;
        var connection = new TcpConnection(_layer, tuple, this, now);
        _layer.Add(connection);
        connection.OpenFromCookie(ack, options, new SynCookieState(mss, shift, sack, timestamps), now);
        result = connection.Process(ack, options, now);
        return true;
    }

    private void QueueNotification()
    {
        if (!_notificationPending)
        {
            _notificationPending = true;
            _layer.QueueNotification(this);
        }
    }

    void INotifiable.DeliverNotifications()
    {
        _notificationPending = false;
        if (_acceptQueue.Count > 0)
        {
            Observer?.OnAcceptable(this);
        }
    }

    public override string ToString() => $"LISTEN :{Port} ({_acceptQueue.Count}/{Backlog} ready, {SynQueueLength} half-open)";
}
