namespace TinyStack.Tcp;

/// <summary>
/// TCP counters, named after Linux's (nstat TcpExt/Tcp names in the remarks) so that a run can be
/// compared with the kernel's. Only the TCP layer writes them; everyone may read them.
/// </summary>
public sealed class TcpStats
{
    private readonly long[] _drops = new long[256];

    /// <summary>Segments dropped for <paramref name="reason"/> (each TCP drop is counted exactly once).</summary>
    public long Dropped(DropReason reason) => _drops[(int)reason];

    /// <summary>Every dropped segment, whatever the reason.</summary>
    public long DroppedTotal { get; private set; }

    /// <summary>Segments received, including dropped ones (Tcp InSegs).</summary>
    public long SegmentsReceived { get; internal set; }

    /// <summary>Segments sent, including retransmissions (Tcp OutSegs).</summary>
    public long SegmentsSent { get; internal set; }

    /// <summary>Segments retransmitted for any reason (Tcp RetransSegs).</summary>
    public long SegmentsRetransmitted { get; internal set; }

    /// <summary>Resets sent (Tcp OutRsts).</summary>
    public long ResetsSent { get; internal set; }

    /// <summary>Connections opened by Connect (Tcp ActiveOpens).</summary>
    public long ActiveOpens { get; internal set; }

    /// <summary>Connections opened from a listener (Tcp PassiveOpens).</summary>
    public long PassiveOpens { get; internal set; }

    /// <summary>Opening handshakes that failed (Tcp AttemptFails).</summary>
    public long AttemptFails { get; internal set; }

    /// <summary>Established connections reset by the peer (Tcp EstabResets).</summary>
    public long EstablishedResets { get; internal set; }

    /// <summary>Retransmission timer expirations (TcpExt TCPTimeouts).</summary>
    public long RetransmitTimeouts { get; internal set; }

    /// <summary>Tail loss probes sent (RFC 8985 §7; TcpExt TCPLossProbes).</summary>
    public long TailLossProbes { get; internal set; }

    /// <summary>Fast retransmissions entering loss recovery (TcpExt TCPFastRetrans-like).</summary>
    public long FastRetransmits { get; internal set; }

    /// <summary>Retransmissions chosen by the SACK scoreboard (TcpExt TCPSackRecovery-like).</summary>
    public long SackRetransmits { get; internal set; }

    /// <summary>Zero-window probes sent.</summary>
    public long ZeroWindowProbes { get; internal set; }

    /// <summary>Keepalive probes sent.</summary>
    public long KeepAliveProbes { get; internal set; }

    /// <summary>Connections aborted by timeouts (TcpExt TCPAbortOnTimeout).</summary>
    public long TimeoutAborts { get; internal set; }

    /// <summary>Challenge ACKs sent (TcpExt TCPChallengeACK).</summary>
    public long ChallengeAcks { get; internal set; }

    /// <summary>Challenge ACKs suppressed by the rate limit.</summary>
    public long ChallengeAcksSuppressed { get; internal set; }

    /// <summary>Delayed ACKs sent by the timer (TcpExt DelayedACKs).</summary>
    public long DelayedAcks { get; internal set; }

    /// <summary>SYN cookies sent (TcpExt SyncookiesSent).</summary>
    public long SynCookiesSent { get; internal set; }

    /// <summary>Valid SYN cookies received (TcpExt SyncookiesRecv).</summary>
    public long SynCookiesReceived { get; internal set; }

    /// <summary>Invalid SYN cookies received (TcpExt SyncookiesFailed).</summary>
    public long SynCookiesFailed { get; internal set; }

    /// <summary>SYNs dropped because the accept queue was full (TcpExt ListenOverflows).</summary>
    public long ListenOverflows { get; internal set; }

    /// <summary>TIME-WAIT connections replaced by a new SYN (RFC 6191; TcpExt TWRecycled-like).</summary>
    public long TimeWaitReused { get; internal set; }

    /// <summary>Connections that skipped TIME-WAIT because <see cref="TcpSettings.MaxTimeWait"/> were already in it (TcpExt TCPTimeWaitOverflow).</summary>
    public long TimeWaitOverflows { get; internal set; }

    /// <summary>Segments rejected by PAWS (TcpExt PAWSEstabRejected).</summary>
    public long PawsRejected { get; internal set; }

    /// <summary>Out-of-order segments queued (TcpExt TCPOFOQueue).</summary>
    public long OutOfOrderQueued { get; internal set; }

    /// <summary>D-SACK blocks sent (TcpExt TCPDSACKOldSent).</summary>
    public long DSacksSent { get; internal set; }

    /// <summary>ICMP errors that matched a connection and passed the RFC 5927 checks.</summary>
    public long IcmpErrorsAccepted { get; internal set; }

    /// <summary>ICMP errors ignored (no connection, or the quoted sequence number is not in flight).</summary>
    public long IcmpErrorsIgnored { get; internal set; }

    /// <summary>Segments the IP layer could not take (empty buffer from BeginSegment).</summary>
    public long TransmitFailures { get; internal set; }

    /// <summary>Connections currently in ESTABLISHED or CLOSE-WAIT (Tcp CurrEstab).</summary>
    public long CurrentEstablished { get; internal set; }

    /// <summary>Connections currently in TIME-WAIT (what <see cref="TcpSettings.MaxTimeWait"/> bounds).</summary>
    public long CurrentTimeWait { get; internal set; }

    internal DropReason Drop(DropReason reason)
    {
        _drops[(int)reason]++;
        DroppedTotal++;
        return reason;
    }
}
