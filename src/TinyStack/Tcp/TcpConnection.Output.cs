using TinyStack.Tcp.Tracing;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// What to send: retransmissions chosen by loss recovery, new data within the send window and
/// cwnd with Nagle (RFC 9293 §3.7.4, Minshall's variant as Linux) and sender SWS avoidance
/// (§3.8.6.2.1), the FIN, pure ACKs and window updates; and how a segment is built in place.
/// </summary>
public sealed partial class TcpConnection
{
    /// <summary>Sends everything that is due now and arms the retransmission and persist timers.</summary>
    internal void Output(Instant now)
    {
        _outputPending = false;
        switch (State)
        {
            case TcpState.SynSent when _synPending:
                // The first SYN of an active open (Connect only queued it).
                _synPending = false;
                SendSyn(now);
                return;
            case TcpState.Closed:
            case TcpState.Listen:
            case TcpState.SynSent:
            case TcpState.SynReceived:
                // The handshake's segments are sent by the handshake itself and its timer.
                return;
            case TcpState.TimeWait:
                if (_ackNow)
                {
                    SendAck(now, _ackReason);
                }

                return;
            default:
                break;
        }

        bool sentAny = false;
        while (TrySendOneSegment(now))
        {
            sentAny = true;
        }

        // A window update only after the application read enough (RFC 9293 §3.8.6.2.2); the
        // window that grows right after the handshake rides on the next segment instead.
        if (!sentAny && (_ackNow || (_windowUpdatePending && WindowUpdateWorthSending())))
        {
            SendAck(now, _ackNow ? _ackReason : TxReason.TcpWindowUpdate);
        }

        _windowUpdatePending = false;

        ArmTimers(now);
    }

    /// <summary>One retransmission or one new segment, if loss recovery, windows and Nagle allow it.</summary>
    private bool TrySendOneSegment(Instant now)
    {
        int mss = EffectiveMss;
        if (mss <= 0)
        {
            return false;
        }

        int pipe = Pipe();
        long cwndRoom = (long)_congestion.Cwnd - pipe;

        // RFC 6675 §5 step 4.3 / RFC 5681 §3.2 step 3: the fast retransmission goes out at once,
        // whatever cwnd says.
        if (_fastRetransmitsPending > 0 && TryFindRetransmission(out SeqNumber first, out int firstLength))
        {
            _fastRetransmitsPending = 0;
            Retransmit(now, first, firstLength, TxReason.TcpFastRetransmit);
            return true;
        }

        _fastRetransmitsPending = 0;

        // RFC 6675 §5 step (C): while cwnd - pipe >= 1 SMSS, NextSeg rule 1 (lost data) first...
        if (cwndRoom >= mss && TryFindRetransmission(out SeqNumber seq, out int length))
        {
            Retransmit(now, seq, length, _lossRetransmitReason);
            return true;
        }

        // ...then rule 2, new data.
        return TrySendNewData(now, mss, cwndRoom);
    }

    private bool TrySendNewData(Instant now, int mss, long cwndRoom)
    {
        SeqNumber dataEnd = _sndDataStart + _sendBuffer.Count;
        int unsent = dataEnd - _sndNxt;
        bool finDue = _finQueued && !_finSent;
        if (unsent <= 0)
        {
            if (finDue && State is TcpState.FinWait1 or TcpState.LastAck or TcpState.Closing)
            {
                // A bare FIN. It is sent even into a zero window, as BSD does and Linux accepts.
                SendNew(now, 0, fin: true);
                return true;
            }

            return false;
        }

        // U = SND.UNA + SND.WND - SND.NXT, the usable window (RFC 9293 §3.8.6.2.1).
        long usable = (long)_sndWnd - (_sndNxt - _sndUna);
        long allowed = Math.Min(usable, cwndRoom);
        if (allowed <= 0)
        {
            return false;
        }

        int length = Math.Min(unsent, mss);
        if (length > allowed)
        {
            if (cwndRoom < length)
            {
                // cwnd-limited: wait for ACKs rather than send a runt.
                return false;
            }

            // Limited by the receiver's window. Sender SWS avoidance: send only if at least half the
            // largest window seen fits (Fs = 1/2), or if nothing is in flight (otherwise the
            // connection would wait for the override timeout).
            if (usable >= _maxSndWnd / 2 || _sndNxt == _sndUna)
            {
                length = (int)usable;
            }
            else
            {
                return false;
            }
        }
        else if (length < mss && !NoDelay && !_finQueued && _sndSml > _sndUna)
        {
            // Nagle, Minshall's variant (Linux tcp_minshall_check): hold a partial segment while an
            // earlier partial segment is unacknowledged. A queued FIN turns Nagle off (as Linux).
            return false;
        }

        bool fin = finDue && length == unsent && length < usable;
        SendNew(now, length, fin);
        return true;
    }

    /// <summary>Sends new data [SND.NXT, SND.NXT + length) and maybe the FIN, advancing SND.NXT.</summary>
    private void SendNew(Instant now, int length, bool fin)
    {
        // RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window.
        if (_sndNxt == _sndUna && now - _lastDataSent > _rtt.Rto)
        {
            _congestion.OnRestartAfterIdle(now);
            TraceEvent(now, TcpTraceEvent.IdleRestart);
        }

        SeqNumber seq = _sndNxt;
        TcpFlags flags = TcpFlags.Ack | (fin ? TcpFlags.Fin : 0);
        if (length > 0 && seq + length == _sndDataStart + _sendBuffer.Count)
        {
            // PSH on the last segment of what the application queued (RFC 9293 §3.9.1.2 MAY, as Linux).
            flags |= TcpFlags.Psh;
        }

        int sent = SendSegment(now, seq, flags, length, fin ? TxReason.TcpFin : TxReason.TcpNewData, 0);
        if (sent < length)
        {
            // The options left less room than planned; the FIN waits for the next segment.
            fin = false;
        }

        _sndNxt = seq + sent + (fin ? 1 : 0);
        RackOnSent(seq, _sndNxt, now, retransmission: false);
        if (_dupAcks > 0 && !_inFastRecovery && !_inLossRecovery)
        {
            // RFC 3042 §2 limited transmit: new data on duplicate ACKs before recovery, left out
            // of FlightSize when recovery sets ssthresh (RFC 5681 §3.2 step 2).
            _limitedTransmitBytes += (uint)(_sndNxt - seq);
        }
        if (fin)
        {
            _finSent = true;
        }

        if (sent > 0 && sent < EffectiveMss)
        {
            _sndSml = _sndNxt;
        }

        if (!_rttTiming && sent > 0)
        {
            // RFC 6298 §3: time one segment per round trip.
            _rttTiming = true;
            _rttSeq = seq + sent;
            _rttStart = now;
        }
    }

    /// <summary>Resends [seq, seq + length) from the send ring (plus the FIN if it lies there).</summary>
    private void Retransmit(Instant now, SeqNumber seq, int length, TxReason reason)
    {
        SeqNumber dataEnd = _sndDataStart + _sendBuffer.Count;
        int dataLength = Math.Max(0, Math.Min(length, dataEnd - seq));
        bool fin = _finSent && seq + length > dataEnd;
        TcpFlags flags = TcpFlags.Ack | (fin ? TcpFlags.Fin : 0);
        // The timer's own retransmission counts the backoffs; the rest of the window resent after it
        // (once an ACK has reset the backoff) is each segment's first retransmission.
        int count = reason == TxReason.TcpRetransmitRto ? Math.Max(1, _rtt.Backoffs) : 1;
        int sent = SendSegment(now, seq, flags, dataLength, reason, count);
        if (sent < dataLength)
        {
            fin = false;
        }

        _highRxt = SeqNumber.Max(_highRxt, seq + sent + (fin ? 1 : 0));
        RackOnSent(seq, seq + sent + (fin ? 1 : 0), now, retransmission: true);

        // Karn: a retransmitted segment cannot be timed.
        _rttTiming = false;
        CountRetransmission();
        if (reason == TxReason.TcpSackRetransmit)
        {
            _layer.Stats.SackRetransmits++;
        }
    }

    /// <summary>Sends SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED), first transmission or retransmission.</summary>
    private void SendSyn(Instant now)
    {
        bool synAck = State == TcpState.SynReceived;
        TcpFlags flags = synAck ? TcpFlags.Syn | TcpFlags.Ack : TcpFlags.Syn;
        SendSegment(now, _iss, flags, 0, synAck ? TxReason.TcpSynAck : TxReason.TcpSyn, _synRetransmits);
        _sndNxt = SeqNumber.Max(_sndNxt, _iss + 1);
        if (_synRetransmits == 0)
        {
            _rttTiming = true;
            _rttSeq = _iss + 1;
            _rttStart = now;
        }
        else
        {
            _rttTiming = false;

            // A retransmitted SYN or SYN-ACK counts as any retransmitted segment.
            CountRetransmission();
        }

        if (_retransmitAt == Instant.MaxValue)
        {
            _retransmitAt = now + _rtt.Rto;
        }
    }

    /// <summary>A segment went out again: counted on the connection and in the layer (Linux RetransSegs).</summary>
    private void CountRetransmission()
    {
        _retransmits++;
        _layer.Stats.SegmentsRetransmitted++;
    }

    /// <summary>A segment without data: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.</summary>
    private void SendAck(Instant now, TxReason reason)
    {
        SendSegment(now, _sndNxt, TcpFlags.Ack, 0, reason, 0);
        if (reason == TxReason.TcpDelayedAck)
        {
            _layer.Stats.DelayedAcks++;
        }
    }

    /// <summary>
    /// A probe that elicits an ACK without carrying data: SEQ = SND.UNA - 1 is old, so the peer
    /// answers with its current ACK and window (Linux tcp_xmit_probe_skb; RFC 9293 §3.8.6.1 for
    /// zero-window probes, RFC 1122 §4.2.3.6 for keepalives).
    /// </summary>
    private void SendProbe(Instant now, TxReason reason, int count)
    {
        SendSegment(now, _sndUna - 1, TcpFlags.Ack, 0, reason, count);
    }

    /// <summary>
    /// Builds one segment in place in the IP layer's buffer: header and options, payload copied
    /// from the send ring, checksum. Returns the payload bytes sent (fewer than asked when the
    /// options leave less room). A segment the IP layer cannot take counts as lost.
    /// </summary>
    private int SendSegment(Instant now, SeqNumber seq, TcpFlags flags, int length, TxReason reason, int count)
    {
        bool syn = (flags & TcpFlags.Syn) != 0;
        TcpOptions options = BuildOptions(now, syn);
        int maxPayload = Math.Max(0, _sndMss - options.EncodedLength);
        if (length > maxPayload)
        {
            length = maxPayload;
        }

        bool hasAck = (flags & TcpFlags.Ack) != 0;
        ushort window = SelectWindow(syn);
        if (syn && State == TcpState.SynSent)
        {
            // RCV.NXT is not known yet: remember what we offered and apply it when the SYN-ACK comes.
            _synWindow = window;
        }

        var header = new TcpHeader(Tuple.LocalPort, Tuple.RemotePort, seq, hasAck ? _rcvNxt : default, flags, window, options);
        int headerLength = header.Length;
        Span<byte> segment = _layer.Transmitter.BeginSegment(Tuple.LocalAddress, Tuple.RemoteAddress, headerLength + length);
        if (segment.IsEmpty)
        {
            _layer.Stats.TransmitFailures++;
        }
        else
        {
            if (length > 0)
            {
                _sendBuffer.CopyTo(seq - _sndDataStart, segment.Slice(headerLength, length));
            }

            header.WriteTo(segment, Tuple.LocalAddress, Tuple.RemoteAddress);
            _layer.Transmitter.CommitSegment(new TxNote(reason, count, _congestion.Cwnd, _rtt.Rto));
            _layer.Stats.SegmentsSent++;
        }

        if (hasAck)
        {
            // Every segment with ACK acknowledges everything received so far.
            _lastAckSent = _rcvNxt;
            _ackNow = false;
            _unackedBytes = 0;
            _delayedAckAt = Instant.MaxValue;
            if (_dsackPending)
            {
                _dsackPending = false;
                _layer.Stats.DSacksSent++;
            }
        }

        if (length > 0 || (flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0)
        {
            // RFC 5681 §4.1 counts idle time from the last data sent (as Linux lsndtime): pure ACKs do not count.
            _lastDataSent = now;
        }

        return length;
    }

    /// <summary>
    /// Options for the next segment. SYN: MSS, window scale, SACK-permitted, timestamps (a
    /// SYN-ACK only echoes what the peer offered). Otherwise: timestamps when negotiated
    /// (RFC 7323 §3.2: then on every segment) and SACK blocks while data is held out of order.
    /// </summary>
    private TcpOptions BuildOptions(Instant now, bool syn)
    {
        if (syn)
        {
            bool synAck = State == TcpState.SynReceived;
            return new TcpOptions
            {
                Mss = (ushort)Math.Min(_layer.PathMss(Tuple.RemoteAddress), ushort.MaxValue),
                WindowScale = _settings.WindowScaling && (!synAck || _peerOfferedWindowScale) ? (byte)_rcvShift : null,
                SackPermitted = synAck ? _sackEnabled : _settings.Sack,
                Timestamps = (synAck ? _timestampsEnabled : _settings.Timestamps) ? new TcpTimestamps(TimestampNow(now), synAck ? _tsRecent : 0) : null,
            };
        }

        TcpOptions options = _timestampsEnabled
            ? new TcpOptions { Timestamps = new TcpTimestamps(TimestampNow(now), _tsRecent) }
            : default;
        if (_sackEnabled && (_dsackPending || !_outOfOrder.IsEmpty))
        {
            // RFC 2018 §3: four blocks fit, three beside timestamps.
            Span<SackBlock> blocks = stackalloc SackBlock[TcpOptions.MaxSackBlocks];
            int count = CollectSackBlocks(blocks[..(_timestampsEnabled ? 3 : 4)]);
            options = options.WithSackBlocks(blocks[..count]);
        }

        return options;
    }

    /// <summary>Our timestamp clock: milliseconds (RFC 7323 §5.4 allows 1 ms..1 s) plus a per-connection offset.</summary>
    private uint TimestampNow(Instant now) => unchecked((uint)(now.Microseconds / 1000) + _tsOffset);
}
