using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>The three ways a connection begins: active OPEN, a SYN to a listener, a valid SYN cookie.</summary>
public sealed partial class TcpConnection
{
    /// <summary>
    /// Active OPEN (RFC 9293 §3.10.1): ISS chosen, SYN-SENT. The SYN itself goes out at the
    /// layer's next Poll, since application calls never transmit.
    /// </summary>
    internal void OpenActive(SeqNumber iss)
    {
        _iss = iss;
        _sndUna = iss;
        _sndNxt = iss;
        _sndDataStart = iss + 1;
        _highRxt = iss;
        _recoveryPoint = iss;
        _sndSml = iss;
        SetState(TcpState.SynSent);
        _synPending = true;
        RequestOutput();
    }

    /// <summary>
    /// A SYN reached a listener (RFC 9293 §3.10.7.2 third step): RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ,
    /// ISS chosen, &lt;SEQ=ISS&gt;&lt;ACK=RCV.NXT&gt;&lt;CTL=SYN,ACK&gt; sent, SYN-RECEIVED. Text in the SYN is
    /// not queued (as Linux without Fast Open); the peer sends it again after the handshake.
    /// </summary>
    internal void OpenPassive(TcpSegment syn, in TcpOptions options, SeqNumber iss, Instant now)
    {
        _irs = syn.SequenceNumber;
        _rcvNxt = _irs + 1;
        _lastAckSent = _rcvNxt;
        _rcvAdvertisedEdge = _rcvNxt;
        _iss = iss;
        _sndUna = iss;
        _sndNxt = iss;
        _sndDataStart = iss + 1;
        _highRxt = iss;
        _recoveryPoint = iss;
        _sndSml = iss;
        NegotiateOptions(options, now);
        SetSendWindow(syn.Window, _irs, iss, scaled: false);
        SetState(TcpState.SynReceived);
        SendSyn(now);
        Reschedule();
    }

    /// <summary>
    /// The final ACK of a handshake answered with a SYN cookie (RFC 4987 §3.6): the connection is
    /// rebuilt from the cookie, already ESTABLISHED, and the ACK is then processed as usual.
    /// </summary>
    internal void OpenFromCookie(TcpSegment ack, in TcpOptions options, in SynCookieState cookie, Instant now)
    {
        _iss = ack.AcknowledgmentNumber - 1;
        _irs = ack.SequenceNumber - 1;
        _rcvNxt = ack.SequenceNumber;
        _lastAckSent = _rcvNxt;
        _sndUna = ack.AcknowledgmentNumber;
        _sndNxt = _sndUna;
        _sndDataStart = _sndUna;
        _highRxt = _sndUna;
        _recoveryPoint = _sndUna;
        _sndSml = _sndUna;

        // What the SYN negotiated survives only as far as the cookie could carry it.
        _peerOfferedWindowScale = cookie.WindowScale.HasValue;
        _sndShift = cookie.WindowScale is int shift ? Math.Min(shift, MaxWindowShift) : 0;
        if (!cookie.WindowScale.HasValue)
        {
            _rcvShift = 0;
        }

        _sackEnabled = cookie.SackPermitted && _settings.Sack;
        _timestampsEnabled = cookie.Timestamps;
        if (options.Timestamps is TcpTimestamps stamps)
        {
            _tsRecent = stamps.TsVal;
            _tsRecentTime = now;
        }
        _peerMss = cookie.Mss;
        _sndMss = Math.Max(MinimumMss, Math.Min(_peerMss, _layer.PathMss(Tuple.RemoteAddress)));
        _congestion = CreateCongestionControl(EffectiveMss);

        // The SYN-ACK advertised an unscaled window of up to 64 KiB from RCV.NXT.
        _rcvAdvertisedEdge = _rcvNxt + Math.Min(ReceiveSpace, ushort.MaxValue);
        SetSendWindow(ack.Window, ack.SequenceNumber, ack.AcknowledgmentNumber, scaled: true);
        SetState(TcpState.SynReceived);
        EnterEstablished(now);
        Reschedule();
    }

    /// <summary>
    /// RFC 6191 §2 (as RFC 1122 §4.2.2.13 for the no-timestamp case): may a new SYN for this
    /// TIME-WAIT tuple start a new incarnation? Yes if its timestamp is newer than the last one seen,
    /// or, without timestamps, if its sequence number lies beyond the old RCV.NXT.
    /// </summary>
    internal bool AcceptsNewIncarnation(TcpSegment syn, in TcpOptions options)
    {
        if (State != TcpState.TimeWait)
        {
            return false;
        }

        if (_timestampsEnabled && options.Timestamps is TcpTimestamps stamps)
        {
            return unchecked((int)(stamps.TsVal - _tsRecent)) > 0;
        }

        return syn.SequenceNumber > _rcvNxt;
    }

    /// <summary>The ISS for a new incarnation of this tuple: beyond anything the old one used (as Linux).</summary>
    internal SeqNumber NextIncarnationIss => _sndNxt + ushort.MaxValue + 2;

    /// <summary>Ends TIME-WAIT early because a new incarnation takes the tuple.</summary>
    internal void EndTimeWait() => Terminate(TcpError.None);
}
