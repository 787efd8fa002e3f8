using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>ICMP errors about this connection (RFC 5927, RFC 1122 §4.2.3.9, RFC 1191).</summary>
public sealed partial class TcpConnection
{
    // RFC 1191 §7: the plateau table, for routers that do not report the next-hop MTU.
    private static ReadOnlySpan<ushort> MtuPlateaus => [32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68];

    /// <summary>
    /// Handles an ICMP error that quotes one of our segments with sequence number
    /// <paramref name="quotedSeq"/>. Returns false when the error does not pass RFC 5927 §4.1's
    /// check (the number must be in flight: SND.UNA =&lt; SEQ &lt; SND.NXT), which makes blind ICMP
    /// attacks as hard as guessing a window.
    /// </summary>
    internal bool HandleIcmpError(byte type, byte code, ushort nextHopMtu, SeqNumber quotedSeq, Instant now)
    {
        if (!(_sndUna <= quotedSeq && quotedSeq < _sndNxt))
        {
            return false;
        }

        if (type == IcmpType.DestinationUnreachable)
        {
            switch (code)
            {
                case IcmpUnreachableCode.FragmentationNeeded:
                    LowerMss(nextHopMtu);
                    break;
                case IcmpUnreachableCode.Protocol:
                case IcmpUnreachableCode.Port:
                    // Hard errors: RFC 1122 §4.2.3.9 lets them abort; Linux aborts a connection
                    // attempt, and keeps established connections (reporting the error softly).
                    if (State == TcpState.SynSent)
                    {
                        _layer.Stats.AttemptFails++;
                        Terminate(TcpError.ConnectionRefused);
                        return true;
                    }

                    _softError = TcpError.ConnectionRefused;
                    break;
                case IcmpUnreachableCode.Net:
                    // Soft errors (RFC 1122 §4.2.3.9): remembered, reported if the connection times out.
                    _softError = TcpError.NetworkUnreachable;
                    break;
                default:
                    _softError = TcpError.HostUnreachable;
                    break;
            }
        }

        Output(now);
        Reschedule();
        return true;
    }

    /// <summary>
    /// RFC 1191 §6 / RFC 9293 §3.7.3: the path MTU dropped; send smaller segments from now on and
    /// resend what is in flight at once at the new size (as Linux tcp_simple_retransmit), without
    /// a congestion response, since nothing was lost to congestion.
    /// </summary>
    private void LowerMss(ushort nextHopMtu)
    {
        int mtu = nextHopMtu;
        if (mtu == 0)
        {
            // An old router: take the next plateau below the size we used (RFC 1191 §5).
            int current = _sndMss + 40;
            mtu = 68;
            foreach (ushort plateau in MtuPlateaus)
            {
                if (plateau < current)
                {
                    mtu = plateau;
                    break;
                }
            }
        }

        int mss = Math.Max(_settings.MinMss, mtu - 40);
        if (mss >= _sndMss)
        {
            return;
        }

        _sndMss = mss;
        _congestion.OnMssChanged(EffectiveMss);
        if (IsSynchronized(State) && _sndNxt > _sndUna)
        {
            _inFastRecovery = false;
            _inLossRecovery = true;
            _recoveryPoint = _sndNxt;
            _highRxt = _sndUna;
            _rttTiming = false;
            _lossRetransmitReason = TxReason.TcpFastRetransmit;
            RackOnPathMtuReduced();
        }

    }
}
