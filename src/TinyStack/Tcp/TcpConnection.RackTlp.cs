using TinyStack.Tcp.Recovery;
using TinyStack.Tcp.Tracing;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// RACK-TLP (RFC 8985), when <see cref="TcpSettings.RackTlp"/> is on and SACK was negotiated.
/// RACK detects loss by time: a segment is lost once a segment sent sufficiently later (one RTT
/// plus a reordering window) has been delivered, so a single SACK can reveal a loss that counting
/// duplicate ACKs would miss. TLP sends a probe two RTTs after the last transmission when the
/// tail of a flight goes unacknowledged, so that its ACK lets RACK repair the tail without
/// waiting for the retransmission timeout.
/// </summary>
/// <remarks>
/// With RACK the loss state lives in the log of sent segments, one mark per segment: RACK marks
/// a segment lost by time, whether it was a first transmission or a retransmission, so a lost
/// retransmission is found one RTT later like any other loss instead of by the retransmission
/// timer. RFC 6675's rules still mark first transmissions (DupThresh SACKed segments above, or
/// the first unacknowledged segment when fast recovery begins), and a timeout marks everything.
/// Pipe is then the bytes in flight, neither SACKed nor marked lost (a lost segment counts again
/// once retransmitted), and NextSeg resends the lowest segment marked lost.
/// </remarks>
public sealed partial class TcpConnection
{
    // RFC 8985 §7.2: the worst-case delayed ACK timer added to the PTO when one segment is in flight.
    private static readonly Duration s_worstCaseDelayedAck = Duration.FromMilliseconds(200);

    // With more segments in flight the receiver ACKs without its delayed-ACK timer, but ACKs still
    // take scheduling time on top of the path RTT; Linux adds TCP_TIMEOUT_MIN (2 jiffies, 2 ms at
    // HZ=1000) so that a microsecond SRTT (a TAP, a memory link) does not probe spuriously.
    private static readonly Duration s_minimumProbeSlack = Duration.FromMilliseconds(2);

    // Probes sent without an answer before the retransmission timer may fire: each waits twice as
    // long as the one before (RFC 9002 §6.2.1), so three cover 2 + 4 + 8 SRTTs of silence.
    private const int MaxProbesWithoutAck = 3;

    private SentSegmentLog? _sent;

    // RACK state (RFC 8985 §6.1): the most recently sent segment known delivered, and its RTT.
    private bool _rackHasDelivery;
    private Instant _rackXmitTs;
    private SeqNumber _rackEndSeq;
    private Duration _rackRtt;
    private Duration _rackMinRtt = Duration.MaxValue;
    private SeqNumber _rackFack;
    private bool _rackReorderingSeen;
    private int _rackReoWndMult = 1;
    private int _rackReoWndPersist;
    private bool _rackDsackRoundActive;
    private SeqNumber _rackDsackRound;
    private bool _rackWasInRecovery;
    private SeqNumber _rackMarkedBelow;
    private Instant _rackTimerAt = Instant.MaxValue;

    // TLP state (RFC 8985 §7.1).
    private Instant _tlpAt = Instant.MaxValue;
    private bool _tlpInFlight;
    private SeqNumber _tlpEndSeq;
    private bool _tlpIsRetransmission;

    // Probes sent since the last ACK that carried news, and what the last resending one covered.
    private int _probesWithoutAck;
    private SeqNumber _probeRetransmitStart;
    private SeqNumber _probeRetransmitEnd;

    private bool RackTlpEnabled => _settings.RackTlp && _sackEnabled;

    /// <summary>RFC 8985 §6.2 step 1: remember when [start, end) was (re)transmitted.</summary>
    private void RackOnSent(SeqNumber start, SeqNumber end, Instant now, bool retransmission)
    {
        if (!RackTlpEnabled || end <= start)
        {
            return;
        }

        _sent ??= new SentSegmentLog();

        // Every transmission re-arms the probe timer from now (RFC 8985 §7.2 for new data; a
        // retransmission in recovery is as good a reason to expect an ACK within the PTO).
        _tlpAt = Instant.MaxValue;
        if (!retransmission)
        {
            _sent.Append(start, end, now);
            return;
        }

        // A retransmission covers whole segments unless the MSS shrank: record exactly what went.
        _sent.SplitAt(start);
        _sent.SplitAt(end);
        for (int i = _sent.FirstEndingAfter(start); i < _sent.Count && _sent[i].Start < end; i++)
        {
            _sent.MarkRetransmitted(i, now);
        }
    }

    /// <summary>RFC 8985 §6.2 and §7.4: an ACK arrived (after the scoreboard and SND.UNA were updated).</summary>
    private void RackOnAck(SeqNumber priorUna, SeqNumber segAck, in TcpOptions options, int newlySacked, Instant now)
    {
        if (!RackTlpEnabled || _sent is null)
        {
            return;
        }

        bool dsack = options.SackBlockCount > 0 && IsDsack(options, segAck);

        // Step 2: the segments this ACK delivered, cumulatively and by SACK, update RACK.
        for (int i = 0; i < _sent.Count && _sent[i].End <= segAck; i++)
        {
            if (!_sent[i].Delivered)
            {
                RackUpdate(_sent[i], now);
            }
        }

        _sent.RemoveBelow(segAck);
        if (newlySacked > 0)
        {
            // Only segments within this ACK's blocks can have become SACKed; look at them in
            // sequence order, so that step 3 sees reordering only where there was some.
            SeqNumber low = options.GetSackBlock(0).Left;
            SeqNumber high = options.GetSackBlock(0).Right;
            for (int b = 1; b < options.SackBlockCount; b++)
            {
                low = SeqNumber.Min(low, options.GetSackBlock(b).Left);
                high = SeqNumber.Max(high, options.GetSackBlock(b).Right);
            }

            for (int i = _sent.FirstEndingAfter(low); i < _sent.Count && _sent[i].Start < high; i++)
            {
                SentSegment segment = _sent[i];
                if (!segment.Delivered && _scoreboard.Covered(segment.Start, segment.End) == segment.Length)
                {
                    _sent.MarkDelivered(i);
                    RackUpdate(segment, now);
                }
            }
        }

        if (segAck > priorUna || newlySacked > 0)
        {
            // News from the receiver re-arms the probe timer from now, and the probes start over.
            _tlpAt = Instant.MaxValue;
            _probesWithoutAck = 0;
        }

        // A D-SACK of our own probe's retransmission says the probe was redundant (its ACK, not
        // the data, was missing), not that the network reorders: it must not widen reo_wnd.
        bool probeDsack = dsack && _probeRetransmitEnd > _probeRetransmitStart
            && options.GetSackBlock(0).Left >= _probeRetransmitStart && options.GetSackBlock(0).Right <= _probeRetransmitEnd;
        UpdateReorderingWindow(dsack && !probeDsack);
        ProcessTlpAck(priorUna, segAck, dsack, now);
        RackDetectLossAndRecover(now);
    }

    /// <summary>The reordering timer fired: look again, time has passed (RFC 8985 §6.2 step 5).</summary>
    private void RackOnReorderTimeout(Instant now)
    {
        if (RackTlpEnabled && _sent is not null)
        {
            RackDetectLossAndRecover(now);
        }
    }

    /// <summary>
    /// A retransmission timeout takes over loss recovery: everything in flight is lost (RFC 8985
    /// §6.3, RFC 6675 §5.1), SACKed segments too since the scoreboard was dropped; TLP starts afresh.
    /// </summary>
    private void RackOnRetransmitTimeout()
    {
        _tlpInFlight = false;
        _tlpAt = Instant.MaxValue;
        _probesWithoutAck = 0;
        _rackTimerAt = Instant.MaxValue;
        _sent?.MarkAllLost(forgetDelivered: true);
    }

    /// <summary>The path MTU fell: every segment in flight is resent at the new size (RFC 1191 §6.5).</summary>
    private void RackOnPathMtuReduced() => _sent?.MarkAllLost(forgetDelivered: false);

    /// <summary>
    /// RFC 6675's own verdicts as marks in the log: first transmissions below <paramref name="boundary"/>
    /// (DupThresh SACKed segments above them, or the head when fast recovery begins) are lost. A
    /// retransmission is judged by RACK only. Each segment is looked at once.
    /// </summary>
    private void RackMarkBelow(SentSegmentLog log, SeqNumber boundary)
    {
        // Where the last look stopped, if that still lies in flight (it starts out as 0).
        SeqNumber from = _rackMarkedBelow > _sndUna && _rackMarkedBelow <= _sndNxt ? _rackMarkedBelow : _sndUna;
        if (boundary <= from)
        {
            return;
        }

        SeqNumber marked = boundary;
        for (int i = log.FirstEndingAfter(from); i < log.Count && log[i].Start < boundary; i++)
        {
            if (log[i].End > boundary)
            {
                // Straddles the boundary: not lost yet, look again next time.
                marked = log[i].Start;
                break;
            }

            if (!log[i].Retransmitted)
            {
                log.MarkLost(i);
            }
        }

        _rackMarkedBelow = marked;
    }

    /// <summary>RFC 6675 §4 SetPipe from the marks: in flight, not SACKed, not lost (or lost and resent).</summary>
    private int RackPipe(SentSegmentLog log)
    {
        RackMarkBelow(log, LostBoundary());
        int flight = _sndNxt - _sndUna;
        return Math.Max(0, flight - _scoreboard.Covered(_sndUna, _sndNxt) - log.LostBytes);
    }

    /// <summary>RFC 6675 §4 NextSeg rule 1 from the marks: the lowest segment marked lost.</summary>
    private bool RackNextLost(SentSegmentLog log, out SeqNumber seq, out int length)
    {
        RackMarkBelow(log, LostBoundary());
        seq = default;
        length = 0;
        if (log.LostBytes == 0)
        {
            return false;
        }

        for (int i = 0; i < log.Count; i++)
        {
            if (log[i].Lost)
            {
                seq = log[i].Start;
                length = Math.Min(log[i].Length, EffectiveMss);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// RFC 8985 §7.2: after output, schedule a probe timeout (PTO = 2*SRTT, plus the worst-case
    /// delayed ACK when one segment is in flight, else 2 ms as Linux) while data is outstanding.
    /// </summary>
    /// <remarks>
    /// Unlike RFC 8985, which probes only outside recovery and only once before the RTO, the probe
    /// timer runs in fast recovery and after a timeout too, and an unanswered probe is followed by
    /// another after twice the wait, up to <see cref="MaxProbesWithoutAck"/> (as QUIC's PTO, RFC 9002
    /// §6.2). The reason is the receiver's ACK pattern: a Linux receiver compresses its SACKs
    /// while a hole is open, so the ACK that answers the fast retransmission often acknowledges the
    /// whole flight by itself. If that one ACK is lost, a sender in recovery with cwnd used up has
    /// nothing more to send, RACK has no later delivery to reason from, and only the 200 ms RTO
    /// (thousands of RTTs on a LAN) would end the silence; the same holds when a probe or a
    /// timeout's retransmission is lost. A probe costs one segment and draws an immediate ACK.
    /// </remarks>
    private void ArmTailLossProbe(Instant now)
    {
        bool eligible = RackTlpEnabled && _probesWithoutAck < MaxProbesWithoutAck
            && _sndNxt > _sndUna && IsSynchronized(State) && State != TcpState.TimeWait;
        if (!eligible)
        {
            _tlpAt = Instant.MaxValue;
            return;
        }

        if (_tlpAt != Instant.MaxValue)
        {
            return;
        }

        Duration pto = _rtt.Srtt > Duration.Zero ? _rtt.Srtt * 2 : Duration.FromSeconds(1);
        pto += _sndNxt - _sndUna <= EffectiveMss ? s_worstCaseDelayedAck : s_minimumProbeSlack;

        for (int i = 0; i < _probesWithoutAck; i++)
        {
            pto *= 2;
        }

        // No later than the retransmission timer: a probe at that moment stands in for the timeout
        // (as Linux), sparing the collapse of cwnd when only the tail or an ACK was lost.
        _tlpAt = Instant.Min(now + pto, _retransmitAt);
    }

    /// <summary>
    /// RFC 8985 §7.3: the probe timer fired: send new data if the window allows, else resend. Outside
    /// recovery that is the last segment (the tail); in recovery it is the first segment neither
    /// acknowledged nor SACKed, the one whose loss (or whose ACK's loss) holds everything up.
    /// </summary>
    /// <remarks>
    /// Only the first probe of a silence may be new data. A receiver may hold its ACK for new
    /// in-order data (Linux does for up to its 40 ms delayed-ACK timer while the application is slow
    /// to read and the window cannot open), but it answers a duplicate at once (RFC 5681 §4.2,
    /// Linux's quick ACK), so the probes after an unanswered one resend.
    /// </remarks>
    private void OnTailLossProbe(Instant now)
    {
        if (!RackTlpEnabled || _probesWithoutAck >= MaxProbesWithoutAck || _sndNxt == _sndUna)
        {
            return;
        }

        bool inRecovery = _inFastRecovery || _inLossRecovery;
        SeqNumber dataEnd = _sndDataStart + _sendBuffer.Count;
        int unsent = dataEnd - _sndNxt;
        long usable = (long)_sndWnd - (_sndNxt - _sndUna);
        bool newData = _probesWithoutAck == 0 && unsent > 0 && usable > 0 && !_finSent;
        if (newData)
        {
            // A probe may exceed cwnd by this one segment.
            SendNew(now, (int)Math.Min(Math.Min(unsent, EffectiveMss), usable), fin: false);
        }
        else
        {
            SeqNumber start = inRecovery ? FirstUnsacked() : _sndNxt - Math.Min(_sndNxt - _sndUna, EffectiveMss);
            int length = Math.Min(_sndNxt - start, EffectiveMss);
            Retransmit(now, start, length, TxReason.TcpTailLossProbe);
            _probeRetransmitStart = start;
            _probeRetransmitEnd = start + length;
        }

        if (!_tlpInFlight && !inRecovery)
        {
            // The first probe of an episode outside recovery is RFC 8985's TLP, whose ACK decides
            // whether a loss was repaired (§7.4).
            _tlpInFlight = true;
            _tlpEndSeq = _sndNxt;
            _tlpIsRetransmission = !newData;
        }

        _probesWithoutAck++;
        _layer.Stats.TailLossProbes++;

        // The retransmission timer runs from the probe.
        _retransmitAt = now + _rtt.Rto;
    }

    /// <summary>The lowest sequence number in flight that was neither acknowledged nor SACKed.</summary>
    private SeqNumber FirstUnsacked()
    {
        SeqNumber seq = _sndUna;
        for (int i = 0; i < _scoreboard.Count && _scoreboard[i].Left <= seq; i++)
        {
            seq = SeqNumber.Max(seq, _scoreboard[i].Right);
        }

        return SeqNumber.Min(seq, _sndNxt - 1);
    }

    /// <summary>RFC 8985 §6.2 step 2 and 3 for one delivered segment.</summary>
    private void RackUpdate(in SentSegment segment, Instant now)
    {
        Duration rtt = now - segment.XmitTime;
        Duration minRtt = _rackMinRtt != Duration.MaxValue ? _rackMinRtt : _rtt.Srtt;
        if (segment.Retransmitted && rtt < minRtt)
        {
            // Too soon to be the ACK of the retransmission: the original was delivered. Ambiguous, skip.
            return;
        }

        _rackMinRtt = Duration.Min(_rackMinRtt, rtt);

        // Step 3: an original transmission delivered below the highest delivered one was reordered.
        if (_rackHasDelivery && !segment.Retransmitted && segment.End < _rackFack)
        {
            _rackReorderingSeen = true;
        }

        if (!_rackHasDelivery || segment.End > _rackFack)
        {
            _rackFack = segment.End;
        }

        if (!_rackHasDelivery || SentAfter(segment.XmitTime, segment.End, _rackXmitTs, _rackEndSeq))
        {
            _rackHasDelivery = true;
            _rackRtt = rtt;
            _rackXmitTs = segment.XmitTime;
            _rackEndSeq = segment.End;
        }
    }

    /// <summary>RFC 8985 §6.2 step 4: D-SACKs widen the reordering window for 16 recoveries.</summary>
    private void UpdateReorderingWindow(bool dsack)
    {
        bool inRecovery = _inFastRecovery || _inLossRecovery;
        if (_rackDsackRoundActive && _sndUna >= _rackDsackRound)
        {
            _rackDsackRoundActive = false;
        }

        if (!_rackDsackRoundActive && dsack)
        {
            _rackDsackRoundActive = true;
            _rackDsackRound = _sndNxt;
            _rackReoWndMult++;
            _rackReoWndPersist = 16;
        }
        else if (_rackWasInRecovery && !inRecovery && _rackReoWndPersist > 0 && --_rackReoWndPersist == 0)
        {
            _rackReoWndMult = 1;
        }

        _rackWasInRecovery = inRecovery;
    }

    /// <summary>RFC 8985 §6.2 step 4: the reordering window.</summary>
    private Duration RackReorderingWindow()
    {
        if (!_rackReorderingSeen)
        {
            // No reordering seen: in recovery, or once DupThresh segments are SACKed, do not wait.
            int sackedSegments = _scoreboard.Covered(_sndUna, _sndNxt) / Math.Max(1, EffectiveMss);
            if (_inFastRecovery || _inLossRecovery || sackedSegments >= _settings.DupThresh)
            {
                return Duration.Zero;
            }
        }

        Duration minRtt = _rackMinRtt != Duration.MaxValue ? _rackMinRtt : _rtt.Srtt;
        return Duration.Min(minRtt * _rackReoWndMult / 4, _rtt.Srtt);
    }

    /// <summary>
    /// RFC 8985 §6.2 step 5: every segment, first transmission or retransmission, sent before the
    /// last delivered one and longer ago than RACK.rtt + reo_wnd is lost; the next one to become so
    /// arms the reordering timer. Loss found outside recovery starts fast recovery (RFC 6675 §5).
    /// </summary>
    private void RackDetectLossAndRecover(Instant now)
    {
        _rackTimerAt = Instant.MaxValue;
        if (!_rackHasDelivery || _sent is null)
        {
            return;
        }

        Duration reoWnd = RackReorderingWindow();
        for (int i = 0; i < _sent.Count; i++)
        {
            SentSegment segment = _sent[i];
            if (!segment.Retransmitted && SentAfter(segment.XmitTime, segment.End, _rackXmitTs, _rackEndSeq))
            {
                // First transmissions go out in sequence order and a retransmission only moves a
                // segment later in time, so every segment from here on was sent after RACK's: none
                // can be deemed lost. Stopping keeps the common ACK O(1) instead of O(flight), as
                // Linux's walk of its time-ordered list stops at the first segment too new.
                break;
            }

            if (segment.Delivered || segment.Lost || !SentAfter(_rackXmitTs, _rackEndSeq, segment.XmitTime, segment.End))
            {
                // Retransmissions sit among first transmissions by sequence, not by time: look at all.
                continue;
            }

            Instant deadline = segment.XmitTime + _rackRtt + reoWnd;
            if (deadline > now)
            {
                _rackTimerAt = Instant.Min(_rackTimerAt, deadline);
                continue;
            }

            _sent.MarkLost(i);
        }

        if (_sent.LostBytes > 0 && !_inFastRecovery && !_inLossRecovery)
        {
            EnterFastRecovery(now);
        }
    }

    /// <summary>
    /// RFC 8985 §7.4: once the probe is acknowledged, a probe that retransmitted data and drew no
    /// D-SACK repaired a real loss, which calls for the congestion response.
    /// </summary>
    private void ProcessTlpAck(SeqNumber priorUna, SeqNumber segAck, bool dsack, Instant now)
    {
        if (!_tlpInFlight)
        {
            return;
        }

        if (dsack && _tlpIsRetransmission)
        {
            // The original and the probe both arrived: nothing was lost.
            _tlpInFlight = false;
            return;
        }

        if (segAck < _tlpEndSeq)
        {
            return;
        }

        _tlpInFlight = false;
        if (_tlpIsRetransmission && !_inFastRecovery && !_inLossRecovery)
        {
            _congestion.OnLossDetected(now, (uint)(_tlpEndSeq - priorUna));
            _congestion.OnRecoveryComplete(now);
            TraceEvent(now, TcpTraceEvent.LossDetected);
        }
    }

    /// <summary>RFC 8985 RACK_sent_after: was (t1, seq1) sent after (t2, seq2)?</summary>
    private static bool SentAfter(Instant t1, SeqNumber seq1, Instant t2, SeqNumber seq2) => t1 > t2 || (t1 == t2 && seq1 > seq2);

    /// <summary>RFC 2883 §4: the first block reports a duplicate (below the ACK, or inside the second block).</summary>
    private static bool IsDsack(in TcpOptions options, SeqNumber segAck)
    {
        SackBlock first = options.GetSackBlock(0);
        return first.Left < segAck
            || (options.SackBlockCount > 1 && options.GetSackBlock(1).Left <= first.Left && first.Right <= options.GetSackBlock(1).Right);
    }
}
