using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// The fifth step of segment arrival (the ACK field, RFC 9293 §3.10.7.4), RTT measurement
/// (RFC 6298, RFC 7323 §4) and loss recovery: duplicate ACKs and fast retransmit (RFC 5681 §3.2),
/// limited transmit (RFC 3042), the SACK scoreboard with IsLost, pipe and NextSeg (RFC 6675).
/// </summary>
public sealed partial class TcpConnection
{
    // RFC 6298 §5.7: the RTO once the handshake needed a retransmission and no sample exists.
    private static readonly Duration s_fallbackRto = Duration.FromSeconds(3);

    /// <summary>Payload of a full-sized segment: the MSS less the timestamps option (RFC 6691).</summary>
    internal int EffectiveMss => _sndMss - (_timestampsEnabled ? TimestampsOptionLength : 0);

    // NOP, NOP, kind 8, length 10 (RFC 7323 Appendix A layout).
    private const int TimestampsOptionLength = 12;

    private DropReason ProcessAck(TcpSegment segment, in TcpOptions options, Instant now)
    {
        SeqNumber seq = segment.SequenceNumber;
        SeqNumber segAck = segment.AcknowledgmentNumber;

        if (State == TcpState.SynReceived)
        {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state ... If the segment
            // acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>."
            if (!(_sndUna < segAck && segAck <= _sndNxt))
            {
                _layer.SendReset(Tuple, segAck, default, TcpFlags.Rst, TcpResetCause.BadAckInSynReceived, _congestion.Cwnd, _rtt.Rto);
                return _layer.Stats.Drop(DropReason.TcpBadAck);
            }

            if (Listener is TcpListener listener && !listener.HasRoomToAccept)
            {
                // As Linux: with the accept queue full the final ACK is dropped; the connection
                // stays half-open and the SYN-ACK timer tries again.
                _layer.Stats.ListenOverflows++;
                return _layer.Stats.Drop(DropReason.TcpListenQueueFull);
            }

            AcknowledgeSyn(segAck, now);
            SetSendWindow(segment.Window, seq, segAck, scaled: true);
            EnterEstablished(now);
            return DropReason.Accepted;
        }

        // RFC 5961 §5.2: the ACK is acceptable only in [SND.UNA - MAX.SND.WND, SND.NXT]; anything
        // else is discarded and answered with a (rate-limited) ACK. This also covers RFC 9293's
        // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop".
        int maxWindow = (int)Math.Min(_maxSndWnd, int.MaxValue / 2);
        if (segAck > _sndNxt || segAck < _sndUna - maxWindow)
        {
            SendChallengeAck(now);
            return _layer.Stats.Drop(DropReason.TcpBadAck);
        }

        if (State == TcpState.TimeWait)
        {
            // "The only thing that can arrive in this state is a retransmission of the remote FIN."
            return DropReason.Accepted;
        }

        // Any acceptable ACK shows the peer is alive: unanswered zero-window probes start over
        // (as Linux; RFC 1122 §4.2.2.17 keeps the connection while probes are acknowledged).
        _persistProbes = 0;

        SeqNumber priorUna = _sndUna;
        int priorFlight = _sndNxt - _sndUna;
        uint advertised = (uint)segment.Window << _sndShift;
        int newlySacked = _sackEnabled && options.SackBlockCount > 0 ? ProcessSackBlocks(options, segAck) : 0;

        if (segAck > _sndUna)
        {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK", freeing the acknowledged bytes.
            OnNewAck(segAck, options, now, priorFlight);
        }
        else if (segAck == _sndUna && priorFlight > 0)
        {
            // RFC 5681 §2 duplicate ACK: outstanding data, no payload, no SYN/FIN, same ACK and window.
            // With SACK, RFC 6675 §2 counts ACKs that SACK new data instead.
            bool duplicate = _sackEnabled && options.SackBlockCount > 0
                ? newlySacked > 0
                : segment.Payload.IsEmpty && (segment.Flags & (TcpFlags.Syn | TcpFlags.Fin)) == 0 && advertised == _sndWnd;
            if (duplicate)
            {
                OnDuplicateAck(now);
            }
        }

        RackOnAck(priorUna, segAck, options, newlySacked, now);

        // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated" — unless the
        // segment is older than the one that set it (SND.WL1/SND.WL2, refined in IsWindowUpdate).
        if (segAck >= _sndUna && IsWindowUpdate(seq, segAck, priorUna, advertised))
        {
            SetSendWindow(segment.Window, seq, segAck, scaled: true);
        }

        // Our FIN is the last number we sent, so it is acknowledged when nothing is outstanding.
        bool finAcked = _finSent && _sndUna == _sndNxt;
        switch (State)
        {
            case TcpState.FinWait1 when finAcked:
                // "...if the FIN segment is now acknowledged, then enter FIN-WAIT-2."
                SetState(TcpState.FinWait2);
                _retransmitAt = Instant.MaxValue;
                if (_appClosed)
                {
                    // Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 does not wait forever.
                    _closeAt = now + _settings.FinWait2Timeout;
                }

                break;
            case TcpState.Closing when finAcked:
                // "...if the ACK acknowledges our FIN, then enter the TIME-WAIT state."
                EnterTimeWait(now);
                break;
            case TcpState.LastAck when finAcked:
                // "...if our FIN is now acknowledged, delete the TCB, enter the CLOSED state."
                Terminate(TcpError.None);
                break;
            default:
                break;
        }

        return DropReason.Accepted;
    }

    /// <summary>The cumulative ACK advanced: free the ring, sample the RTT, restart the timer, grow cwnd.</summary>
    private void OnNewAck(SeqNumber segAck, in TcpOptions options, Instant now, int priorFlight)
    {
        int acked = segAck - _sndUna;

        // RTT: RFC 6298 §3 (Karn) times only a segment that was never retransmitted; without one,
        // RFC 7323 §4.2 takes TSecr, which names the transmission that was acknowledged.
        if (_rttTiming && segAck >= _rttSeq)
        {
            _rttTiming = false;
            TakeRttSample(now - _rttStart, now);
        }
        else if (_timestampsEnabled && options.Timestamps is TcpTimestamps stamps && stamps.TsEcr != 0)
        {
            uint elapsed = unchecked(TimestampNow(now) - stamps.TsEcr);
            if (elapsed < int.MaxValue)
            {
                TakeRttSample(Duration.FromMilliseconds(elapsed), now);
            }
        }

        SeqNumber dataEnd = _sndDataStart + _sendBuffer.Count;
        SeqNumber ackedDataEnd = SeqNumber.Min(segAck, dataEnd);
        if (ackedDataEnd > _sndDataStart)
        {
            _sendBuffer.Discard(ackedDataEnd - _sndDataStart);
            _bytesAcked += ackedDataEnd - _sndDataStart;
            _sndDataStart = ackedDataEnd;
        }

        _sndUna = segAck;
        _scoreboard.RemoveBelow(segAck);
        if (_highRxt < _sndUna)
        {
            _highRxt = _sndUna;
        }

        // RFC 6298 §5.2, §5.3: stop the timer when everything is acknowledged, else restart it.
        // The backoff ends with forward progress (as Linux), even when Karn's rule gave no sample.
        _rtt.ResetBackoff();
        bool outstanding = _sndNxt > _sndUna;
        _retransmitAt = outstanding ? now + _rtt.Rto : Instant.MaxValue;
        _oldestUnackedSince = outstanding ? now : Instant.MaxValue;
        _persistProbes = 0;

        bool wasInRecovery = _inFastRecovery;
        if (_inFastRecovery)
        {
            if (segAck >= _recoveryPoint)
            {
                // RFC 6675 §5: an ACK at or beyond RecoveryPoint ends loss recovery.
                _inFastRecovery = false;
                RestartDuplicateAckCount();
                _congestion.OnRecoveryComplete(now);
                TraceEvent(now, TcpTraceEvent.RecoveryExited);
            }
            else if (!_sackEnabled)
            {
                // A partial ACK without SACK (NewReno, RFC 6582 §3.2 step 5): the next
                // unacknowledged segment was lost too; resend it at once.
                RestartDuplicateAckCount();
                _fastRetransmitsPending = 1;
            }
        }
        else
        {
            RestartDuplicateAckCount();
        }

        if (_inLossRecovery && segAck >= _recoveryPoint)
        {
            _inLossRecovery = false;
            TraceEvent(now, TcpTraceEvent.RecoveryExited);
        }

        _congestion.OnAck(new CongestionAck(now, (uint)acked, (uint)priorFlight, (uint)(_sndNxt - _sndUna), _sndUna, _sndNxt, wasInRecovery || _inFastRecovery));

        // RFC 6675 §5: a cumulative ACK that leaves enough SACKed data above SND.UNA also shows loss.
        if (!_inFastRecovery && !_inLossRecovery && _sackEnabled && _sndNxt > _sndUna && IsLost(_sndUna))
        {
            EnterFastRecovery(now);
        }

        // Writable again once half of what is queued has drained (as Linux sk_stream_is_writeable).
        int free = _sendBuffer.Limit - _sendBuffer.Count;
        if (_writeBlocked && (2L * free) >= _sendBuffer.Count)
        {
            _writeBlocked = false;
            Signal(EventWritable);
        }
    }

    private void TakeRttSample(Duration rtt, Instant now)
    {
        _rtt.Sample(rtt);
        _congestion.OnRttSample(now, rtt);
    }

    private void OnDuplicateAck(Instant now)
    {
        _dupAcks++;
        if (_inFastRecovery || _inLossRecovery)
        {
            return;
        }

        // RFC 5681 §3.2 step 2 / RFC 6675 §5 step 4: DupThresh duplicates, or SACK showing the
        // first unacknowledged segment lost, start fast retransmit and recovery. Before that,
        // RFC 3042 limited transmit lets each of the first duplicates release one new segment,
        // which Output does through pipe.
        if (_dupAcks >= _settings.DupThresh || (_sackEnabled && IsLost(_sndUna)))
        {
            EnterFastRecovery(now);
        }
    }

    /// <summary>RFC 6675 §5 step 4 (RFC 5681 §3.2 steps 2-3 without SACK).</summary>
    private void EnterFastRecovery(Instant now)
    {
        _inFastRecovery = true;
        _recoveryPoint = _sndNxt;
        _highRxt = _sndUna;
        _congestion.OnLossDetected(now, FlightSize());
        _rttTiming = false;
        _fastRetransmitsPending = 1;
        _lossRetransmitReason = TxReason.TcpSackRetransmit;
        _layer.Stats.FastRetransmits++;

        // The loss row still shows the limited transmit bytes left out of FlightSize, so a trace
        // can check ssthresh exactly; recovery then starts its own accounting (RFC 6675 pipe).
        TraceEvent(now, TcpTraceEvent.LossDetected);
        _limitedTransmitBytes = 0;
    }

    /// <summary>
    /// The duplicate ACK count starts over, and with it limited transmit: what was sent on the
    /// earlier duplicates is ordinary flight from here on.
    /// </summary>
    private void RestartDuplicateAckCount()
    {
        _dupAcks = 0;
        _limitedTransmitBytes = 0;
    }

    /// <summary>
    /// RFC 5681 §2 FlightSize (SND.NXT - SND.UNA) without the data sent by limited transmit, which
    /// RFC 3042 §2 says MUST NOT be included when a loss sets ssthresh (RFC 5681 §3.2 step 2): the
    /// reduction answers the window that caused the loss, not the extra segments the duplicate
    /// ACKs released. With ten segments in flight and two limited transmits NewReno's ssthresh is
    /// five segments (as Linux, which halves cwnd), not six.
    /// </summary>
    private uint FlightSize()
    {
        uint flight = (uint)(_sndNxt - _sndUna);
        return flight - Math.Min(flight, _limitedTransmitBytes);
    }

    /// <summary>Adds the peer's SACK blocks to the scoreboard; returns the bytes newly SACKed.</summary>
    private int ProcessSackBlocks(in TcpOptions options, SeqNumber segAck)
    {
        int count = options.SackBlockCount;
        int newlySacked = 0;
        for (int i = 0; i < count; i++)
        {
            SackBlock block = options.GetSackBlock(i);
            if (block.Right <= block.Left)
            {
                continue;
            }

            // RFC 2883 §4: a first block below the cumulative ACK, or inside the second block, is a
            // D-SACK: it reports a duplicate we sent, not data that is now held.
            if (i == 0 && (block.Left < segAck
                || (count > 1 && options.GetSackBlock(1).Left <= block.Left && block.Right <= options.GetSackBlock(1).Right)))
            {
                continue;
            }

            // RFC 2018 §8: only what lies between SND.UNA and SND.NXT can be SACKed.
            SeqNumber left = SeqNumber.Max(block.Left, segAck);
            SeqNumber right = SeqNumber.Min(block.Right, _sndNxt);
            if (right <= left)
            {
                continue;
            }

            int added = _scoreboard.Add(left, right);
            if (added > 0)
            {
                newlySacked += added;
            }
        }

        return newlySacked;
    }

    /// <summary>
    /// RFC 6675 §4 IsLost as a boundary: every un-SACKed byte below it has DupThresh SACKed
    /// segments, or more than (DupThresh - 1) * SMSS SACKed bytes, above it. Since more data above
    /// means "more lost", one boundary describes IsLost for every sequence number.
    /// </summary>
    private SeqNumber SackLossBoundary()
    {
        int mss = Math.Max(1, EffectiveMss);
        int dupThresh = _settings.DupThresh;
        int bytes = 0;
        int segments = 0;
        for (int i = _scoreboard.Count - 1; i >= 0; i--)
        {
            SackBlock range = _scoreboard[i];
            int length = range.Right - range.Left;
            bytes += length;
            segments += (length + mss - 1) / mss;
            if (segments >= dupThresh || bytes > (dupThresh - 1) * mss)
            {
                return range.Left;
            }
        }

        return _sndUna;
    }

    private bool IsLost(SeqNumber seq) => seq < SackLossBoundary() && !_scoreboard.TryFind(seq, out _);

    /// <summary>Un-SACKed data below this boundary is considered lost.</summary>
    private SeqNumber LostBoundary()
    {
        SeqNumber boundary = _sackEnabled ? SackLossBoundary() : _sndUna;
        if (_inLossRecovery)
        {
            // After a timeout (or a lowered path MTU) everything that was in flight is resent.
            boundary = SeqNumber.Max(boundary, _recoveryPoint);
        }
        else if (_inFastRecovery)
        {
            // The first unacknowledged segment is presumed lost (RFC 5681 §3.2 step 3).
            boundary = SeqNumber.Max(boundary, _sndUna + Math.Min(EffectiveMss, _sndNxt - _sndUna));
        }

        return SeqNumber.Min(boundary, _sndNxt);
    }

    /// <summary>
    /// RFC 6675 §4 SetPipe: bytes believed in the network = un-SACKed bytes not lost, plus lost
    /// bytes already retransmitted (below HighRxt). Without SACK, each duplicate ACK stands for one
    /// segment that left the network (the window inflation of RFC 5681 §3.2).
    /// </summary>
    private int Pipe()
    {
        int flight = _sndNxt - _sndUna;
        if (flight <= 0)
        {
            return 0;
        }

        if (RackTlpEnabled && _sent is { } log)
        {
            return RackPipe(log);
        }

        SeqNumber lost = LostBoundary();
        int notLost = (_sndNxt - lost) - _scoreboard.Covered(lost, _sndNxt);
        if (!_sackEnabled && _dupAcks > 0)
        {
            notLost -= Math.Min(notLost, _dupAcks * EffectiveMss);
        }

        int retransmitted = 0;
        SeqNumber retransmittedEnd = SeqNumber.Min(_highRxt, lost);
        if (retransmittedEnd > _sndUna)
        {
            retransmitted = (retransmittedEnd - _sndUna) - _scoreboard.Covered(_sndUna, retransmittedEnd);
        }

        return Math.Max(0, notLost) + retransmitted;
    }

    /// <summary>
    /// RFC 6675 §4 NextSeg rule 1: the first un-SACKed, lost range at or above HighRxt, at most
    /// one segment long. Rules 3 and 4 (retransmitting data not yet deemed lost) are not used.
    /// </summary>
    private bool TryFindRetransmission(out SeqNumber seq, out int length)
    {
        seq = default;
        length = 0;
        if (!_inFastRecovery && !_inLossRecovery)
        {
            return false;
        }

        if (RackTlpEnabled && _sent is { } log)
        {
            return RackNextLost(log, out seq, out length);
        }

        SeqNumber lost = LostBoundary();
        SeqNumber start = SeqNumber.Max(_highRxt, _sndUna);
        SeqNumber end = lost;
        for (int i = 0; i < _scoreboard.Count; i++)
        {
            SackBlock range = _scoreboard[i];
            if (range.Right <= start)
            {
                continue;
            }

            if (range.Left <= start)
            {
                start = range.Right;
                continue;
            }

            end = SeqNumber.Min(end, range.Left);
            break;
        }

        if (start >= end)
        {
            return false;
        }

        seq = start;
        length = Math.Min(end - start, EffectiveMss);
        return true;
    }

    /// <summary>Our SYN is acknowledged (SYN-SENT or SYN-RECEIVED).</summary>
    private void AcknowledgeSyn(SeqNumber segAck, Instant now)
    {
        _sndUna = segAck;
        _highRxt = segAck;
        _recoveryPoint = segAck;
        if (_rttTiming && segAck >= _rttSeq)
        {
            _rttTiming = false;
            TakeRttSample(now - _rttStart, now);
        }
        else if (_synRetransmits > 0)
        {
            _rtt.UseConservativeInitialRto(s_fallbackRto);
        }

        _retransmitAt = Instant.MaxValue;
        _oldestUnackedSince = Instant.MaxValue;
    }

    private void EnterEstablished(Instant now)
    {
        SetState(TcpState.Established);
        _wasEstablished = true;
        StartTrace(now);
        _lastReceived = now;
        if (Listener is TcpListener listener)
        {
            _layer.Stats.PassiveOpens++;
            listener.OnEstablished(this);
        }

        Signal(EventConnected | EventWritable);
        if (_finQueued)
        {
            // ShutdownWrite was called during the handshake.
            SetState(TcpState.FinWait1);
        }
    }

    /// <summary>
    /// Whether an acceptable ACK (SND.UNA =< SEG.ACK =< SND.NXT) carries a newer window than the
    /// one we hold. RFC 9293 §3.10.7.4: "If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and
    /// SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND" — so that old segments cannot change the
    /// window. That test alone lets two kinds of segment through the wrong way, which a lossy,
    /// reordering path with data both ways produces all the time (Linux tcp_may_update_window
    /// makes the same two refinements):
    /// <list type="bullet">
    /// <item>A segment that acknowledges new data is newer than every segment that set the window
    /// (the peer's RCV.NXT only grows), even when its SEQ is lower because it is a retransmission
    /// filling a hole. The RFC test ignores its window while SND.UNA advances, so the usable window
    /// SND.UNA + SND.WND - SND.NXT can reach past the edge the peer offered: take its window.</item>
    /// <item>Two segments with the same SEQ and ACK (a window update, say, and the ACK before it)
    /// cannot be ordered by the RFC test (its "SND.WL2 =< SEG.ACK" takes both), so a reordered
    /// or duplicated older one would shrink the window we already filled. A receiver never moves
    /// its right edge left (RFC 9293 §3.8.6.2.2, RFC 7323 §2.4), so at the same SEQ and ACK only
    /// a larger window is newer. Linux also takes any zero window there (`!nwin`), for a receiver
    /// that shrinks to zero (RFC 1122 §4.2.2.16: such a window MUST be probed). But a duplicate of
    /// the zero-window ACK that preceded a window update looks exactly the same, and once we have
    /// sent into the update's window, taking it would strand that data beyond an edge of zero and
    /// stall us until a probe. So a zero window at the same SEQ and ACK is taken only while
    /// nothing is in flight: then it costs at most one probe, whose answer restores the window if
    /// it was stale. With data in flight we keep the edge the peer offered; a peer that really
    /// withdrew it drops what lies beyond, and the retransmission timer, resending from SND.UNA,
    /// probes it (RFC 1122 §4.2.2.16 asks the sender to be robust against shrinking).</item>
    /// </list>
    /// </summary>
    private bool IsWindowUpdate(SeqNumber seq, SeqNumber segAck, SeqNumber priorUna, uint window)
    {
        if (segAck > priorUna)
        {
            return true;
        }

        if (_sndWl1 < seq)
        {
            return true;
        }

        if (_sndWl1 != seq || segAck < _sndWl2)
        {
            return false;
        }

        return segAck > _sndWl2 || window > _sndWnd || (window == 0 && _sndNxt == _sndUna);
    }

    private void SetSendWindow(ushort window, SeqNumber seq, SeqNumber ack, bool scaled)
    {
        _sndWnd = (uint)window << (scaled ? _sndShift : 0);
        _sndWl1 = seq;
        _sndWl2 = ack;
        _maxSndWnd = Math.Max(_maxSndWnd, _sndWnd);
    }
}
