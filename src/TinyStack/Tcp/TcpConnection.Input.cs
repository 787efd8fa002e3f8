using TinyStack.Tcp.Tracing;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>Segment arrival, RFC 9293 §3.10.7.3 (SYN-SENT) and §3.10.7.4 (all other states), step by step.</summary>
public sealed partial class TcpConnection
{
    // RFC 7323 §5.5: a TS.Recent older than 24 days cannot be trusted for PAWS.
    private static readonly Duration s_pawsIdleLimit = Duration.FromSeconds(24L * 24 * 3600);

    /// <summary>
    /// Processes one segment addressed to this connection (the layer has verified checksum and
    /// options), then sends whatever became due and re-arms the timers.
    /// </summary>
    internal DropReason Process(TcpSegment segment, in TcpOptions options, Instant now)
    {
        DropReason result = State == TcpState.SynSent
            ? ProcessInSynSent(segment, options, now)
            : ProcessInSynchronizedState(segment, options, now);

        if (State != TcpState.Closed)
        {
            Output(now);
            Reschedule();
        }

        TraceEvent(now, TcpTraceEvent.Ack);
        return result;
    }

    /// <summary>RFC 9293 §3.10.7.3: SYN-SENT.</summary>
    private DropReason ProcessInSynSent(TcpSegment segment, in TcpOptions options, Instant now)
    {
        TcpFlags flags = segment.Flags;
        bool hasAck = (flags & TcpFlags.Ack) != 0;
        bool hasRst = (flags & TcpFlags.Rst) != 0;
        bool hasSyn = (flags & TcpFlags.Syn) != 0;
        SeqNumber segAck = segment.AcknowledgmentNumber;

        // First, check the ACK bit: an ACK must acknowledge our SYN (SND.UNA < SEG.ACK =< SND.NXT),
        // otherwise it belongs to an old connection: <SEQ=SEG.ACK><CTL=RST> unless it is a RST.
        if (hasAck && (segAck <= _iss || segAck > _sndNxt))
        {
            if (!hasRst)
            {
                _layer.SendReset(Tuple, segAck, default, TcpFlags.Rst, TcpResetCause.BadAckInSynSent, _congestion.Cwnd, _rtt.Rto);
            }

            return _layer.Stats.Drop(DropReason.TcpBadAck);
        }

        // Second, check the RST bit: with an acceptable ACK the peer refused us (RFC 5961 §3.2
        // accepts a RST in SYN-SENT only when its ACK acknowledges the SYN); without one, drop it.
        if (hasRst)
        {
            if (!hasAck)
            {
                return _layer.Stats.Drop(DropReason.TcpRstIgnored);
            }

            _layer.Stats.AttemptFails++;
            Terminate(TcpError.ConnectionRefused);
            return DropReason.Accepted;
        }

        // Third, security and precedence: not used (RFC 9293 §3.9.1 leaves them to the IP layer).

        // Fifth (early), neither SYN nor RST: drop.
        if (!hasSyn)
        {
            return _layer.Stats.Drop(DropReason.TcpNoConnection);
        }

        // Fourth, check the SYN bit: RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ, options negotiated.
        _lastReceived = now;
        _irs = segment.SequenceNumber;
        _rcvNxt = _irs + 1;
        _lastAckSent = _rcvNxt;
        _rcvAdvertisedEdge = _rcvNxt + _synWindow;
        NegotiateOptions(options, now);

        if (hasAck)
        {
            // Our SYN is acknowledged: SND.UNA = SEG.ACK; the SYN-ACK's window is never scaled (RFC 7323 §2.2).
            AcknowledgeSyn(segAck, now);
            SetSendWindow(segment.Window, segment.SequenceNumber, segAck, scaled: false);
            EnterEstablished(now);

            // "...form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it. If there are
            // other controls or text in the segment, then continue processing at the sixth step."
            RequestAck(TxReason.TcpAck);
            ProcessTextAndFin(segment, now);
            return DropReason.Accepted;
        }

        // Simultaneous open: SYN-RECEIVED, answer <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. Text in the
        // SYN is not queued; the peer retransmits it once we are established.
        SetState(TcpState.SynReceived);
        SetSendWindow(segment.Window, segment.SequenceNumber, _sndUna, scaled: false);
        SendSyn(now);
        return DropReason.Accepted;
    }

    /// <summary>RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states.</summary>
    private DropReason ProcessInSynchronizedState(TcpSegment segment, in TcpOptions options, Instant now)
    {
        TcpFlags flags = segment.Flags;
        bool hasAck = (flags & TcpFlags.Ack) != 0;
        bool hasRst = (flags & TcpFlags.Rst) != 0;
        bool hasSyn = (flags & TcpFlags.Syn) != 0;
        bool hasFin = (flags & TcpFlags.Fin) != 0;
        SeqNumber seq = segment.SequenceNumber;
        int payloadLength = segment.Payload.Length;

        // A retransmitted SYN in SYN-RECEIVED means our SYN-ACK was lost: send it again
        // (Linux tcp_check_req; the sequence check below would otherwise answer with a bare ACK).
        if (State == TcpState.SynReceived && hasSyn && !hasAck && !hasRst && seq == _irs)
        {
            SendSyn(now);
            return _layer.Stats.Drop(DropReason.TcpDuplicate);
        }

        // RFC 7323 §5.3 PAWS, before the sequence number check: a segment whose TSval is older than
        // TS.Recent is an old duplicate (R1); it is acknowledged and dropped. RSTs are exempt.
        if (_timestampsEnabled && !hasRst && options.Timestamps is TcpTimestamps stamps && unchecked((int)(stamps.TsVal - _tsRecent)) < 0)
        {
            if (now - _tsRecentTime <= s_pawsIdleLimit)
            {
                _layer.Stats.PawsRejected++;
                SendAckForUnacceptable(now, payloadLength == 0);
                return _layer.Stats.Drop(DropReason.TcpPaws);
            }

            // R2 of §5.5: after 24 idle days TS.Recent is invalid; adopt the new value.
            _tsRecent = stamps.TsVal;
            _tsRecentTime = now;
        }

        // First, check the sequence number (the four-case acceptability table).
        int segLength = segment.SegmentLength;
        int rcvWnd = ReceiveWindow;
        if (!IsAcceptable(seq, segLength, rcvWnd, hasFin))
        {
            if (hasRst)
            {
                // RFC 5961 §3.2: a RST outside the window is silently dropped.
                return _layer.Stats.Drop(DropReason.TcpRstIgnored);
            }

            // TIME-WAIT: a retransmitted FIN restarts the 2 MSL wait (eighth step; Linux does the same).
            if (State == TcpState.TimeWait && hasFin)
            {
                _closeAt = now + (_settings.Msl * 2);
            }

            bool duplicate = payloadLength > 0 && seq + payloadLength <= _rcvNxt;
            if (duplicate)
            {
                // RFC 2883 §4: report the duplicate in a D-SACK block.
                RecordDSack(seq, seq + payloadLength);
            }

            SendAckForUnacceptable(now, payloadLength == 0 && !hasFin);
            return _layer.Stats.Drop(duplicate ? DropReason.TcpDuplicate : DropReason.TcpOutOfWindow);
        }

        // The peer is alive (for keepalive), as far as an acceptable segment can tell.
        _lastReceived = now;
        _keepAliveProbes = 0;

        // RFC 7323 §4.3: remember the peer's timestamp if the segment covers Last.ACK.sent.
        if (_timestampsEnabled && options.Timestamps is TcpTimestamps ts
            && unchecked((int)(ts.TsVal - _tsRecent)) >= 0 && seq <= _lastAckSent)
        {
            _tsRecent = ts.TsVal;
            _tsRecentTime = now;
        }

        // Second, check the RST bit. RFC 5961 §3.2: only a RST exactly at RCV.NXT resets the
        // connection; any other in-window RST gets a challenge ACK so a blind attacker must guess
        // the exact number.
        if (hasRst)
        {
            if (seq != _rcvNxt)
            {
                SendChallengeAck(now);
                return _layer.Stats.Drop(DropReason.TcpRstIgnored);
            }

            OnReset();
            return DropReason.Accepted;
        }

        // Third, check security: not used.

        // Fourth, check the SYN bit.
        if (hasSyn)
        {
            if (State == TcpState.SynReceived && Listener is not null)
            {
                // A passive open returns to LISTEN: the half-open connection is forgotten.
                _layer.Stats.AttemptFails++;
                Terminate(TcpError.ConnectionReset);
                return _layer.Stats.Drop(DropReason.TcpOutOfWindow);
            }

            // RFC 5961 §4.2: any SYN in a synchronized state gets a challenge ACK, never a reset.
            SendChallengeAck(now);
            return _layer.Stats.Drop(DropReason.TcpOutOfWindow);
        }

        // Fifth, check the ACK field: without ACK the segment is dropped.
        if (!hasAck)
        {
            return _layer.Stats.Drop(DropReason.TcpBadAck);
        }

        DropReason ackResult = ProcessAck(segment, options, now);
        if (ackResult != DropReason.Accepted || State == TcpState.Closed)
        {
            return ackResult;
        }

        // Sixth, check the URG bit: urgent data is not supported (RFC 6093 advises against its
        // use); the data is delivered in line like any other.

        // Seventh and eighth: segment text and FIN.
        ProcessTextAndFin(segment, now);
        return DropReason.Accepted;
    }

    /// <summary>Seventh (segment text) and eighth (FIN) steps of RFC 9293 §3.10.7.4.</summary>
    private void ProcessTextAndFin(TcpSegment segment, Instant now)
    {
        SeqNumber seq = segment.SequenceNumber;
        ReadOnlySpan<byte> payload = segment.Payload;
        TcpFlags flags = segment.Flags;
        if ((flags & TcpFlags.Syn) != 0)
        {
            // Text of a SYN-ACK starts after the SYN's sequence number.
            seq += 1;
        }

        // Seventh, process the segment text (ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 only; after the
        // peer's FIN no text can be new).
        if (!payload.IsEmpty && State is TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2)
        {
            if (_appClosed && seq + payload.Length > _rcvNxt)
            {
                // The application closed and will never read this: reset, as Linux does
                // (RFC 2525 §2.17), so the peer learns the data was lost.
                _layer.SendReset(Tuple, _sndNxt, default, TcpFlags.Rst, TcpResetCause.DataAfterClose, _congestion.Cwnd, _rtt.Rto);
                Terminate(TcpError.Aborted);
                return;
            }

            ReceiveText(seq, payload, now);
        }

        // Eighth, check the FIN bit.
        if ((flags & TcpFlags.Fin) != 0)
        {
            SeqNumber finSeq = seq + payload.Length;
            if (_finReceived)
            {
                // A retransmitted FIN: acknowledge it again (TIME-WAIT restarts its 2 MSL wait).
                if (State == TcpState.TimeWait)
                {
                    _closeAt = now + (_settings.Msl * 2);
                }

                RequestAck(TxReason.TcpAck);
            }
            else if (finSeq == _rcvNxt)
            {
                AcceptFin(now);
            }
            else if (finSeq > _rcvNxt && finSeq - _rcvNxt <= ReceiveWindow)
            {
                // A FIN beyond a hole: it takes effect once the hole is filled.
                _finPending = true;
                _pendingFinSeq = finSeq;
                RequestAck(TxReason.TcpAck);
            }
        }
    }

    /// <summary>The peer's FIN is in order: RCV.NXT advances over it and the state moves on.</summary>
    private void AcceptFin(Instant now)
    {
        _finReceived = true;
        _finPending = false;
        _rcvNxt += 1;
        RequestAck(TxReason.TcpAck);
        Signal(EventReadable);
        switch (State)
        {
            case TcpState.SynReceived:
            case TcpState.Established:
                SetState(TcpState.CloseWait);
                break;
            case TcpState.FinWait1:
                // If our FIN is already acknowledged we would be in FIN-WAIT-2; so both FINs crossed.
                SetState(TcpState.Closing);
                break;
            case TcpState.FinWait2:
                EnterTimeWait(now);
                break;
            default:
                break;
        }
    }

    private void EnterTimeWait(Instant now)
    {
        if (_layer.Stats.CurrentTimeWait >= _settings.MaxTimeWait)
        {
            // Linux's "time wait bucket table overflow" (tcp_time_wait): the connection is forgotten
            // now, after the ACK of the peer's FIN goes out (Terminate would drop it). Should that
            // ACK be lost, the peer's retransmitted FIN meets a reset instead of a repeated ACK;
            // the peer's close still completes.
            if (_ackNow)
            {
                SendAck(now, _ackReason);
            }

            _layer.Stats.TimeWaitOverflows++;
            Terminate(TcpError.None);
            return;
        }

        SetState(TcpState.TimeWait);
        _retransmitAt = _persistAt = _keepAliveAt = Instant.MaxValue;
        _closeAt = now + (_settings.Msl * 2);
        _sendBuffer.Release();
        _scoreboard.Clear();
        _closeNotified = true;
        Signal(EventClosed);
    }

    /// <summary>A valid RST (RFC 9293 §3.10.7.4 second step, by state).</summary>
    private void OnReset()
    {
        switch (State)
        {
            case TcpState.SynReceived:
                // Passive open: back to LISTEN (the half-open connection is forgotten).
                // Active (simultaneous) open: "connection refused".
                _layer.Stats.AttemptFails++;
                Terminate(Listener is not null ? TcpError.ConnectionReset : TcpError.ConnectionRefused);
                break;
            case TcpState.Established:
            case TcpState.FinWait1:
            case TcpState.FinWait2:
            case TcpState.CloseWait:
                _layer.Stats.EstablishedResets++;
                Terminate(TcpError.ConnectionReset);
                break;
            default:
                // CLOSING, LAST-ACK, TIME-WAIT: the connection is over anyway.
                Terminate(TcpError.None);
                break;
        }
    }

    /// <summary>The RCV.WND that applies to arriving segments: up to the right edge last advertised.</summary>
    private int ReceiveWindow => Math.Max(0, _rcvAdvertisedEdge - _rcvNxt);

    /// <summary>
    /// RFC 9293 §3.10.7.4 first step, the acceptability table. With a zero window, a segment
    /// starting exactly at RCV.NXT is still accepted so that its ACK, RST or FIN is processed
    /// ("special allowance ... for valid ACKs, URGs, and RSTs"; Linux also takes a bare FIN);
    /// its data is then trimmed away.
    /// </summary>
    private bool IsAcceptable(SeqNumber seq, int segLength, int rcvWnd, bool hasFin)
    {
        if (rcvWnd == 0)
        {
            return seq == _rcvNxt;
        }

        SeqNumber windowEnd = _rcvNxt + rcvWnd;
        if (segLength == 0)
        {
            return _rcvNxt <= seq && seq < windowEnd;
        }

        SeqNumber last = seq + (segLength - 1);
        return (_rcvNxt <= seq && seq < windowEnd) || (_rcvNxt <= last && last < windowEnd);
    }

    /// <summary>
    /// The ACK that answers an unacceptable segment. Answers to segments without data are rate
    /// limited per connection (Linux tcp_invalid_ratelimit, 500 ms), so two confused peers cannot
    /// keep an ACK loop going; data always gets its ACK.
    /// </summary>
    private void SendAckForUnacceptable(Instant now, bool rateLimited)
    {
        if (rateLimited && _lastInvalidAck != Instant.MaxValue && now - _lastInvalidAck < InvalidAckInterval)
        {
            return;
        }

        if (rateLimited)
        {
            _lastInvalidAck = now;
        }

        RequestAck(TxReason.TcpAck);
    }

    private static Duration InvalidAckInterval => Duration.FromMilliseconds(500);

    /// <summary>RFC 5961 §3.2, §4.2, §5.2: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, within the stack-wide rate limit (§7).</summary>
    private void SendChallengeAck(Instant now)
    {
        if (_layer.TryChallengeAck(now))
        {
            SendAck(now, TxReason.TcpChallengeAck);
        }
    }

    /// <summary>Options of the peer's SYN or SYN-ACK decide what this connection uses (RFC 9293 §3.7.1, RFC 7323 §2.2/§3.2, RFC 2018 §2).</summary>
    private void NegotiateOptions(in TcpOptions options, Instant now)
    {
        _peerOfferedWindowScale = options.WindowScale.HasValue;
        if (_settings.WindowScaling && options.WindowScale is byte shift)
        {
            // RFC 7323 §2.3: a shift above 14 is used as 14.
            _sndShift = Math.Min((int)shift, MaxWindowShift);
        }
        else
        {
            _sndShift = 0;
            _rcvShift = 0;
        }

        _sackEnabled = _settings.Sack && options.SackPermitted;
        _timestampsEnabled = _settings.Timestamps && options.Timestamps.HasValue;
        if (_timestampsEnabled)
        {
            _tsRecent = options.Timestamps!.Value.TsVal;
            _tsRecentTime = now;
        }

        // RFC 9293 §3.7.1: without the option the peer takes 536; RFC 6691: the MSS excludes options.
        _peerMss = options.Mss is ushort mss && mss > 0 ? mss : _settings.DefaultMss;
        _sndMss = Math.Max(MinimumMss, Math.Min(_peerMss, _layer.PathMss(Tuple.RemoteAddress)));
        _rcvMss = Math.Min(_rcvMss, _layer.PathMss(Tuple.RemoteAddress));
        _congestion = CreateCongestionControl(EffectiveMss);
    }

    // Linux TCP_MIN_SND_MSS: a peer advertising a tiny MSS must not make us send 1-byte segments.
    private const int MinimumMss = 48;
}
