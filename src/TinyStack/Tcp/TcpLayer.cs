using System.Buffers.Binary;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// The TCP engine of one stack: the connection table (a hash on the 4-tuple), the listeners,
/// the timer heap, and the application surface (<see cref="Listen"/>, <see cref="Connect"/>).
/// It is pure: the IP layer hands it segments (<see cref="HandleSegment"/>) and ICMP errors
/// (<see cref="HandleIcmpError"/>), calls <see cref="Poll"/> when <see cref="NextDeadline"/>
/// comes, and receives the segments it emits through <see cref="ITcpTransmitter"/>. Everything
/// runs on the caller's thread; observers are told after each call's work is done.
/// </summary>
public sealed class TcpLayer
{
    private readonly Dictionary<TcpTuple, TcpConnection> _connections;
    private readonly Dictionary<ushort, TcpListener> _listeners = [];
    private readonly List<INotifiable> _notifications = new(64);
    private readonly List<PendingReset> _pendingResets = [];
    private readonly EphemeralPorts _ephemeralPorts;
    private readonly IStackLogger? _logger;
    private long _challengeAckSecond = long.MinValue;
    private int _challengeAcksThisSecond;
    private bool _delivering;

    /// <param name="transmitter">Where segments go (the IP layer).</param>
    /// <param name="localAddress">Our address: the source of connections we open.</param>
    /// <param name="settings">Tuning; Linux-like defaults when null.</param>
    /// <param name="seed">Keys every secret (ISN, cookies, ports, hash); the stack passes its own seed.</param>
    /// <param name="logger">Receives state changes at Debug level; null for silence.</param>
    public TcpLayer(ITcpTransmitter transmitter, Ipv4Address localAddress, TcpSettings? settings = null, ulong seed = 0x5EED_7C9_0000_0001UL, IStackLogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(transmitter);
        Settings = settings ?? new TcpSettings();
        Settings.Validate();
        Transmitter = transmitter;
        LocalAddress = localAddress;
        _logger = logger;
        Secrets = new TcpSecrets(seed);
        _connections = new Dictionary<TcpTuple, TcpConnection>(new TcpTupleComparer(Secrets.TableKey0, Secrets.TableKey1));
        _ephemeralPorts = new EphemeralPorts(Secrets, Settings.EphemeralPortFirst, Settings.EphemeralPortLast);
        ReceiveWindowShift = Settings.WindowScaling ? TcpConnection.ChooseWindowShift(Settings.ReceiveBufferSize) : 0;
    }

    public Ipv4Address LocalAddress { get; }

    public TcpSettings Settings { get; }

    public TcpStats Stats { get; } = new();

    /// <summary>Connections in the table (every state but LISTEN and CLOSED, TIME-WAIT included).</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>
    /// When <see cref="Poll"/> must run next: the earliest timer, or "now" (<see cref="Instant.Zero"/>)
    /// when an application call left output, a reset or notifications waiting.
    /// </summary>
    public Instant NextDeadline => _notifications.Count > 0 || _pendingResets.Count > 0 ? Instant.Zero : Timers.Earliest;

    internal ITcpTransmitter Transmitter { get; }

    internal TcpSecrets Secrets { get; }

    internal DeadlineHeap<TcpConnection> Timers { get; } = new();

    /// <summary>The window shift our SYNs offer (RFC 7323 §2.3).</summary>
    internal int ReceiveWindowShift { get; }

    /// <summary>
    /// Processes one TCP segment (the whole IP payload) from <paramref name="source"/> to
    /// <paramref name="destination"/>: checksum with the pseudo-header, options, connection lookup,
    /// then the state machine. Replies are emitted before this returns. Never throws on bad input.
    /// </summary>
    public DropReason HandleSegment(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> segment, Instant now)
    {
        Stats.SegmentsReceived++;
        if (!TcpSegment.TryCreate(segment, out TcpSegment view))
        {
            return Stats.Drop(DropReason.TcpTruncated);
        }

        if (!view.IsChecksumValid(source, destination))
        {
            return Stats.Drop(DropReason.TcpBadChecksum);
        }

        if (!view.TryGetOptions(out TcpOptions options))
        {
            return Stats.Drop(DropReason.TcpBadOptions);
        }

        // RFC 1122 §4.2.3.10, RFC 9293 §3.9.1: nothing from or to broadcast or multicast addresses
        // (a SYN there MUST be discarded), and port 0 names no connection.
        if (source.IsMulticast || source.IsReserved || source.IsUnspecified || destination.IsMulticast || destination.IsReserved
            || view.SourcePort == 0 || view.DestinationPort == 0)
        {
            return Stats.Drop(DropReason.TcpNoConnection);
        }

        var tuple = new TcpTuple(destination, view.DestinationPort, source, view.SourcePort);
        DropReason result;
        if (_connections.TryGetValue(tuple, out TcpConnection? connection))
        {
            if (connection.State == TcpState.TimeWait
                && (view.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Syn
                && _listeners.TryGetValue(view.DestinationPort, out TcpListener? reuser)
                && connection.AcceptsNewIncarnation(view, options))
            {
                // RFC 6191: a new SYN may take over a TIME-WAIT tuple when it is provably new.
                SeqNumber iss = connection.NextIncarnationIss;
                connection.EndTimeWait();
                Stats.TimeWaitReused++;
                result = reuser.HandleSegment(view, options, tuple, now, iss);
            }
            else
            {
                result = connection.Process(view, options, now);
            }
        }
        else if (_listeners.TryGetValue(view.DestinationPort, out TcpListener? listener))
        {
            result = listener.HandleSegment(view, options, tuple, now, null);
        }
        else
        {
            result = RespondToClosedPort(view, tuple);
        }

        DeliverNotifications();
        return result;
    }

    /// <summary>Runs every timer due at <paramref name="now"/> and the output application calls asked for.</summary>
    public void Poll(Instant now)
    {
        // Resets from Abort: application calls never transmit themselves.
        for (int i = 0; i < _pendingResets.Count; i++)
        {
            PendingReset reset = _pendingResets[i];
            SendReset(reset.Tuple, reset.Seq, default, TcpFlags.Rst, reset.Cause, reset.Cwnd, reset.Rto);
        }

        _pendingResets.Clear();
        while (Timers.Count > 0)
        {
            TcpConnection connection = Timers.Peek();
            if (((IDeadlineItem)connection).Deadline > now)
            {
                break;
            }

            connection.OnDeadline(now);
            if (((IDeadlineItem)connection).HeapIndex >= 0 && ((IDeadlineItem)connection).Deadline <= now)
            {
                // A connection must move its deadline past now; if one did not, taking it out of
                // the heap keeps Poll from spinning. This is a bug, so it is logged loudly.
                Timers.Remove(connection);
                Log(StackLogLevel.Error, connection, "timer did not advance; connection removed from the timer heap");
            }
        }

        DeliverNotifications();
    }

    /// <summary>
    /// An ICMP error quoted a TCP segment we sent (<paramref name="quotedTcp"/>: at least the first
    /// 8 bytes of its header). Applies RFC 5927's checks; port or protocol unreachable aborts a
    /// connection attempt, fragmentation needed lowers the MSS (RFC 1191), other errors are soft.
    /// Returns whether the error was used.
    /// </summary>
    public bool HandleIcmpError(byte type, byte code, ushort nextHopMtu, Ipv4Address quotedSource, Ipv4Address quotedDestination, ReadOnlySpan<byte> quotedTcp, Instant now)
    {
        const int QuotedLength = 8;
        if (quotedTcp.Length < QuotedLength)
        {
            Stats.IcmpErrorsIgnored++;
            return false;
        }

        ushort sourcePort = BinaryPrimitives.ReadUInt16BigEndian(quotedTcp[TcpSegment.SourcePortOffset..]);
        ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(quotedTcp[TcpSegment.DestinationPortOffset..]);
        var seq = new SeqNumber(BinaryPrimitives.ReadUInt32BigEndian(quotedTcp[TcpSegment.SequenceNumberOffset..]));
        var tuple = new TcpTuple(quotedSource, sourcePort, quotedDestination, destinationPort);
        bool used = _connections.TryGetValue(tuple, out TcpConnection? connection)
            && connection.HandleIcmpError(type, code, nextHopMtu, seq, now);
        if (used)
        {
            Stats.IcmpErrorsAccepted++;
        }
        else
        {
            Stats.IcmpErrorsIgnored++;
        }

        DeliverNotifications();
        return used;
    }

    /// <summary>Passive OPEN on <paramref name="port"/> (all local addresses).</summary>
    public TcpListener Listen(ushort port, int backlog = 128)
    {
        if (port == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(port), "Listen needs a port number 1..65535.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        if (_listeners.ContainsKey(port))
        {
            throw new InvalidOperationException($"Port {port} already has a listener; close it first or pick another port.");
        }

        var listener = new TcpListener(this, port, backlog);
        _listeners.Add(port, listener);
        return listener;
    }

    /// <summary>
    /// Active OPEN towards <paramref name="remote"/>:<paramref name="remotePort"/>: picks an
    /// ephemeral port (RFC 6056) unless <paramref name="localPort"/> is given, and chooses the ISS
    /// from <paramref name="now"/>. The SYN goes out at the next <see cref="Poll"/> (which
    /// <see cref="NextDeadline"/> asks for at once), like all output caused by application calls.
    /// </summary>
    public TcpConnection Connect(Ipv4Address remote, ushort remotePort, Instant now, ushort localPort = 0)
    {
        if (remotePort == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(remotePort), "Connect needs a remote port 1..65535.");
        }

        if (remote.IsUnspecified || remote.IsMulticast || remote.IsReserved)
        {
            throw new ArgumentException($"Cannot connect to {remote}: TCP needs a unicast address.", nameof(remote));
        }

        if (localPort == 0)
        {
            localPort = _ephemeralPorts.Allocate(LocalAddress, remote, remotePort,
                port => !_listeners.ContainsKey(port) && !_connections.ContainsKey(new TcpTuple(LocalAddress, port, remote, remotePort)));
            if (localPort == 0)
            {
                throw new InvalidOperationException($"Every ephemeral port towards {remote}:{remotePort} is in use; close connections or widen TcpSettings.EphemeralPortFirst..Last.");
            }
        }

        var tuple = new TcpTuple(LocalAddress, localPort, remote, remotePort);
        if (_connections.ContainsKey(tuple))
        {
            throw new InvalidOperationException($"A connection {tuple} already exists; use another local port.");
        }

        var connection = new TcpConnection(this, tuple, null, now);
        Add(connection);
        Stats.ActiveOpens++;
        connection.OpenActive(new SeqNumber(Secrets.InitialSequenceNumber(tuple, now)));
        return connection;
    }

    /// <summary>Every connection in the table (TIME-WAIT included), e.g. to count them by state.</summary>
    public IReadOnlyCollection<TcpConnection> Connections => _connections.Values;

    /// <summary>The connection with this tuple, if any (TIME-WAIT included).</summary>
    public TcpConnection? FindConnection(TcpTuple tuple) => _connections.GetValueOrDefault(tuple);

    internal void Add(TcpConnection connection) => _connections.Add(connection.Tuple, connection);

    /// <summary>A connection reached CLOSED: out of the table, the heap and its listener's SYN queue.</summary>
    internal void Remove(TcpConnection connection)
    {
        if (_connections.TryGetValue(connection.Tuple, out TcpConnection? existing) && ReferenceEquals(existing, connection))
        {
            _connections.Remove(connection.Tuple);
        }

        Timers.Remove(connection);
        connection.Listener?.OnHalfOpenGone(connection);
    }

    internal void RemoveListener(TcpListener listener)
    {
        if (_listeners.TryGetValue(listener.Port, out TcpListener? existing) && ReferenceEquals(existing, listener))
        {
            _listeners.Remove(listener.Port);
        }
    }

    /// <summary>Resets the half-open connections of a closing listener.</summary>
    internal void AbortHalfOpen(TcpListener listener)
    {
        var halfOpen = new List<TcpConnection>();
        foreach (TcpConnection connection in _connections.Values)
        {
            if (ReferenceEquals(connection.Listener, listener) && connection.State == TcpState.SynReceived)
            {
                halfOpen.Add(connection);
            }
        }

        foreach (TcpConnection connection in halfOpen)
        {
            connection.Abort(TcpResetCause.ListenerClosed);
        }
    }

    internal void QueueNotification(INotifiable item) => _notifications.Add(item);

    /// <summary>Queues &lt;SEQ=seq&gt;&lt;CTL=RST&gt; for the next Poll (an application abort).</summary>
    internal void QueueReset(TcpTuple tuple, SeqNumber seq, TcpResetCause cause, uint cwnd, Duration rto) => _pendingResets.Add(new PendingReset(tuple, seq, cause, cwnd, rto));

    /// <summary>RFC 5961 §7: at most <see cref="TcpSettings.ChallengeAckLimit"/> challenge ACKs per second, stack-wide.</summary>
    internal bool TryChallengeAck(Instant now)
    {
        long second = now.Microseconds / 1_000_000;
        if (second != _challengeAckSecond)
        {
            _challengeAckSecond = second;
            _challengeAcksThisSecond = 0;
        }

        if (_challengeAcksThisSecond >= Settings.ChallengeAckLimit)
        {
            Stats.ChallengeAcksSuppressed++;
            return false;
        }

        _challengeAcksThisSecond++;
        Stats.ChallengeAcks++;
        return true;
    }

    /// <summary>The MSS we offer and use towards <paramref name="remote"/>: path MTU less 40 (RFC 9293 §3.7.1), at most the clamp.</summary>
    internal int PathMss(Ipv4Address remote) =>
        Math.Clamp(Math.Min(Transmitter.PathMtu(remote) - 40, Settings.MssClamp ?? int.MaxValue), 88, ushort.MaxValue - 40);

    /// <summary>
    /// A RST (with ACK if <paramref name="flags"/> says so), no options, window 0. The note carries
    /// its <paramref name="cause"/>, and the connection's cwnd and RTO when one sends it (zero when none).
    /// </summary>
    internal void SendReset(TcpTuple tuple, SeqNumber seq, SeqNumber ack, TcpFlags flags, TcpResetCause cause, uint cwnd = 0, Duration rto = default)
    {
        var header = new TcpHeader(tuple.LocalPort, tuple.RemotePort, seq, ack, flags, 0);
        SendHeaderOnly(tuple, header, new TxNote(TxReason.TcpReset, 0, cwnd, rto, cause));
        Stats.ResetsSent++;
    }

    /// <summary>Emits a segment without payload that is built outside a connection's output (RST, cookie SYN-ACK).</summary>
    internal void SendHeaderOnly(TcpTuple tuple, in TcpHeader header, in TxNote note)
    {
        Span<byte> segment = Transmitter.BeginSegment(tuple.LocalAddress, tuple.RemoteAddress, header.Length);
        if (segment.IsEmpty)
        {
            Stats.TransmitFailures++;
            return;
        }

        header.WriteTo(segment, tuple.LocalAddress, tuple.RemoteAddress);
        Transmitter.CommitSegment(note);
        Stats.SegmentsSent++;
    }

    internal void OnStateChanged(TcpConnection connection, TcpState from, TcpState to)
    {
        if (_logger is not null && _logger.IsEnabled(StackLogLevel.Debug))
        {
            _logger.Log(StackLogLevel.Debug, $"tcp {connection.Tuple} {from} -> {to}");
        }
    }

    /// <summary>RFC 9293 §3.10.7.1: a segment for a tuple with no connection and no listener.</summary>
    private DropReason RespondToClosedPort(TcpSegment segment, TcpTuple tuple)
    {
        TcpFlags flags = segment.Flags;

        // "An incoming segment containing a RST is discarded."
        if ((flags & TcpFlags.Rst) == 0)
        {
            if ((flags & TcpFlags.Ack) == 0)
            {
                // "<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
                SendReset(tuple, default, segment.SequenceNumber + segment.SegmentLength, TcpFlags.Rst | TcpFlags.Ack, TcpResetCause.NoListener);
            }
            else
            {
                // "<SEQ=SEG.ACK><CTL=RST>"
                SendReset(tuple, segment.AcknowledgmentNumber, default, TcpFlags.Rst, TcpResetCause.NoListener);
            }
        }

        return Stats.Drop(DropReason.TcpNoConnection);
    }

    private void DeliverNotifications()
    {
        if (_delivering)
        {
            return;
        }

        _delivering = true;
        try
        {
            // Observers may call back in and cause more notifications; they join this loop.
            for (int i = 0; i < _notifications.Count; i++)
            {
                _notifications[i].DeliverNotifications();
            }
        }
        finally
        {
            _notifications.Clear();
            _delivering = false;
        }
    }

    private void Log(StackLogLevel level, TcpConnection connection, string message)
    {
        if (_logger is not null && _logger.IsEnabled(level))
        {
            _logger.Log(level, $"tcp {connection.Tuple}: {message}");
        }
    }
}
