using TinyStack.Tcp.Tracing;
using TinyStack.Time;

namespace TinyStack.Tcp;

/// <summary>
/// Timers as data: retransmission (RFC 6298), persist (RFC 9293 §3.8.6.1), delayed ACK,
/// keepalive (RFC 9293 §3.8.4), TIME-WAIT and FIN-WAIT-2. The earliest one is this connection's
/// <see cref="IDeadlineItem.Deadline"/> in the layer's heap.
/// </summary>
public sealed partial class TcpConnection
{
    /// <summary>Recomputes the earliest deadline and re-sorts this connection in the layer's heap.</summary>
    internal void Reschedule()
    {
        Instant deadline = Instant.MaxValue;
        if (State != TcpState.Closed)
        {
            deadline = _outputPending ? Instant.Zero : Instant.MaxValue;
            deadline = Instant.Min(deadline, _retransmitAt);
            deadline = Instant.Min(deadline, _persistAt);
            deadline = Instant.Min(deadline, _delayedAckAt);
            deadline = Instant.Min(deadline, _keepAliveAt);
            deadline = Instant.Min(deadline, _closeAt);
            deadline = Instant.Min(deadline, Instant.Min(_rackTimerAt, _tlpAt));
        }

        if (deadline != _heapDeadline || (deadline != Instant.MaxValue) != (((IDeadlineItem)this).HeapIndex >= 0))
        {
            _heapDeadline = deadline;
            _layer.Timers.Update(this);
        }
    }

    /// <summary>Runs every timer due at <paramref name="now"/>, then the output that follows.</summary>
    internal void OnDeadline(Instant now)
    {
        if (_closeAt <= now)
        {
            // TIME-WAIT's 2 MSL, or an orphaned FIN-WAIT-2's timeout, is over.
            _closeAt = Instant.MaxValue;
            Terminate(TcpError.None);
            return;
        }

        if (_tlpAt <= now)
        {
            // Before the retransmission timer: a probe due with it goes first and restarts it.
            _tlpAt = Instant.MaxValue;
            OnTailLossProbe(now);
        }

        if (_retransmitAt <= now)
        {
            _retransmitAt = Instant.MaxValue;
            OnRetransmitTimeout(now);
            if (State == TcpState.Closed)
            {
                return;
            }
        }

        if (_rackTimerAt <= now)
        {
            _rackTimerAt = Instant.MaxValue;
            RackOnReorderTimeout(now);
        }

        if (_persistAt <= now)
        {
            _persistAt = Instant.MaxValue;
            OnPersistTimeout(now);
            if (State == TcpState.Closed)
            {
                return;
            }
        }

        if (_keepAliveAt <= now)
        {
            _keepAliveAt = Instant.MaxValue;
            OnKeepAliveTimeout(now);
            if (State == TcpState.Closed)
            {
                return;
            }
        }

        if (_delayedAckAt <= now)
        {
            _delayedAckAt = Instant.MaxValue;
            RequestAck(TxReason.TcpDelayedAck);
        }

        Output(now);
        Reschedule();
    }

    /// <summary>After output: RFC 6298 §5.1 (a timer runs while data is outstanding), the persist timer, keepalive.</summary>
    private void ArmTimers(Instant now)
    {
        bool outstanding = _sndNxt > _sndUna;
        if (outstanding)
        {
            if (_retransmitAt == Instant.MaxValue)
            {
                _retransmitAt = now + _rtt.Rto;
            }

            if (_oldestUnackedSince == Instant.MaxValue)
            {
                _oldestUnackedSince = now;
            }

            // Data flows again: the zero-window episode, and its probe backoff, is over.
            _persistAt = Instant.MaxValue;
            _persistBackoff = 0;
        }
        else
        {
            _retransmitAt = Instant.MaxValue;
            _oldestUnackedSince = Instant.MaxValue;
            bool pending = _sndDataStart + _sendBuffer.Count > _sndNxt || (_finQueued && !_finSent);
            if (!pending)
            {
                _persistAt = Instant.MaxValue;
                _persistProbes = 0;
                _persistBackoff = 0;
            }
            else if (_persistAt == Instant.MaxValue)
            {
                // Data waits and nothing is in flight, so only the window can be holding it: probe it.
                _persistAt = now + PersistInterval();
            }
        }

        ArmTailLossProbe(now);
        if (KeepAlive && _keepAliveAt == Instant.MaxValue && State is TcpState.Established or TcpState.CloseWait or TcpState.FinWait2)
        {
            _keepAliveAt = _lastReceived + _settings.KeepAliveTime;
        }
    }

    /// <summary>
    /// RFC 9293 §3.8.6.1 and RFC 1122 §4.2.2.17: the first probe after one RTO, then exponential
    /// backoff up to the maximum RTO. The backoff counts every probe of this zero-window episode,
    /// answered or not: an answer that still says "zero" is no reason to probe faster (Linux keeps
    /// icsk_backoff the same way), while <see cref="_persistProbes"/>, which decides when to give
    /// up, counts only the unanswered ones.
    /// </summary>
    private Duration PersistInterval()
    {
        Duration interval = _rtt.Rto;
        for (int i = 0; i < _persistBackoff && interval < _settings.MaxRto; i++)
        {
            interval *= 2;
        }

        return Duration.Min(interval, _settings.MaxRto);
    }

    /// <summary>RFC 6298 §5.4-5.6: retransmit the earliest unacknowledged segment, back off, restart.</summary>
    private void OnRetransmitTimeout(Instant now)
    {
        if (State is TcpState.SynSent or TcpState.SynReceived)
        {
            int limit = State == TcpState.SynSent ? _settings.SynRetries : _settings.SynAckRetries;
            if (_synRetransmits >= limit)
            {
                _layer.Stats.AttemptFails++;
                _layer.Stats.TimeoutAborts++;
                Terminate(_softError != TcpError.None ? _softError : TcpError.TimedOut);
                return;
            }

            _synRetransmits++;
            _rtt.Backoff();
            _layer.Stats.RetransmitTimeouts++;
            SendSyn(now);
            _retransmitAt = now + _rtt.Rto;
            return;
        }

        if (_sndNxt == _sndUna)
        {
            return;
        }

        // RFC 5482 user timeout, or Linux's tcp_retries2: give up on a dead peer.
        bool expired = _settings.UserTimeout is Duration userTimeout
            ? now - _oldestUnackedSince >= userTimeout
            : _rtt.Backoffs >= _settings.MaxRetransmissions;
        if (expired)
        {
            _layer.Stats.TimeoutAborts++;
            Terminate(_softError != TcpError.None ? _softError : TcpError.TimedOut);
            return;
        }

        _layer.Stats.RetransmitTimeouts++;

        // RFC 5681 §3.1: ssthresh from the flight on the first timeout, cwnd = 1 segment; RFC 6298
        // §5.5: RTO doubles. Everything in flight is now presumed lost (RFC 6675 §5.1): the SACK
        // information is dropped (the receiver may renege, RFC 2018 §8) and the data resent from
        // SND.UNA as the window reopens.
        _congestion.OnRetransmitTimeout(now, (uint)(_sndNxt - _sndUna), _rtt.Backoffs == 0);
        _rtt.Backoff();
        _inFastRecovery = false;
        _inLossRecovery = true;
        _recoveryPoint = _sndNxt;
        _highRxt = _sndUna;
        RestartDuplicateAckCount();
        _fastRetransmitsPending = 0;
        _scoreboard.Clear();
        _rttTiming = false;
        _lossRetransmitReason = TxReason.TcpRetransmitRto;
        _retransmitAt = now + _rtt.Rto;
        RackOnRetransmitTimeout();
        TraceEvent(now, TcpTraceEvent.RetransmitTimeout);
    }

    /// <summary>RFC 9293 §3.8.6.1: probe a zero window; give up only if probes go unanswered.</summary>
    private void OnPersistTimeout(Instant now)
    {
        bool pending = _sndDataStart + _sendBuffer.Count > _sndNxt || (_finQueued && !_finSent);
        if (!pending || _sndNxt != _sndUna)
        {
            _persistProbes = 0;
            _persistBackoff = 0;
            return;
        }

        if (_persistProbes >= _settings.MaxZeroWindowProbes)
        {
            _layer.Stats.TimeoutAborts++;
            Terminate(TcpError.TimedOut);
            return;
        }

        _persistProbes++;
        _persistBackoff++;
        _layer.Stats.ZeroWindowProbes++;
        SendProbe(now, TxReason.TcpZeroWindowProbe, _persistBackoff);
        _persistAt = now + PersistInterval();
    }

    /// <summary>RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6 keepalive, with Linux's timings.</summary>
    private void OnKeepAliveTimeout(Instant now)
    {
        if (!KeepAlive || State is not (TcpState.Established or TcpState.CloseWait or TcpState.FinWait2))
        {
            return;
        }

        if (_sndNxt != _sndUna || _sndDataStart + _sendBuffer.Count > _sndNxt)
        {
            // Data in flight has its own timer; keepalives are for idle connections.
            _keepAliveAt = now + _settings.KeepAliveTime;
            return;
        }

        if (_keepAliveProbes == 0 && now - _lastReceived < _settings.KeepAliveTime)
        {
            _keepAliveAt = _lastReceived + _settings.KeepAliveTime;
            return;
        }

        if (_keepAliveProbes >= _settings.KeepAliveProbes)
        {
            _layer.Stats.TimeoutAborts++;
            Terminate(TcpError.TimedOut);
            return;
        }

        _keepAliveProbes++;
        _layer.Stats.KeepAliveProbes++;
        SendProbe(now, TxReason.TcpKeepalive, _keepAliveProbes);
        _keepAliveAt = now + _settings.KeepAliveInterval;
    }
}
