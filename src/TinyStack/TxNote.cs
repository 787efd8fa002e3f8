using TinyStack.Time;

namespace TinyStack;

/// <summary>
/// What the stack says about a frame it transmits: the reason and, for TCP, the sender's state at
/// that moment. A value type so that annotating a frame allocates nothing; only
/// <see cref="ToString"/> (the packet comment of a capture) builds a string.
/// </summary>
/// <param name="Reason">Why the frame was sent.</param>
/// <param name="Count">For retransmissions and probes, which attempt this is (1 = the first).</param>
/// <param name="Cwnd">
/// Congestion window in bytes at send time. Zero for frames that are not TCP, and for TCP segments
/// that belong to no connection (a RST to a closed port, a SYN cookie's SYN-ACK): a connection's
/// cwnd is never below one segment.
/// </param>
/// <param name="Rto">Retransmission timeout at send time; zero exactly when <paramref name="Cwnd"/> is.</param>
/// <param name="ResetCause">For <see cref="TxReason.TcpReset"/>, which rule or decision produced it.</param>
/// <param name="WaitedForArp">The datagram was held until ARP resolved its next hop (RFC 1122 §2.3.2.2).</param>
public readonly record struct TxNote(
    TxReason Reason,
    int Count = 0,
    uint Cwnd = 0,
    Duration Rto = default,
    TcpResetCause ResetCause = TcpResetCause.None,
    bool WaitedForArp = false)
{
    public static implicit operator TxNote(TxReason reason) => new(reason);

    /// <summary>Whether the frame is a TCP segment (its reason is one of the Tcp* values).</summary>
    public bool IsTcp => Reason is >= TxReason.TcpSyn and <= TxReason.TcpReset;

    /// <summary>
    /// The packet comment: the reason, the attempt, the RST cause, and for TCP always cwnd and rto
    /// ("-" when the segment belongs to no connection), e.g. "TcpRetransmitRto #2 cwnd=1448 rto=800ms".
    /// </summary>
    public override string ToString()
    {
        string text = Count > 0 ? $"{Reason} #{Count}" : Reason.ToString();
        if (ResetCause != TcpResetCause.None)
        {
            text = $"{text} cause={ResetCause}";
        }

        if (IsTcp)
        {
            text = Cwnd != 0 ? $"{text} cwnd={Cwnd} rto={Rto}" : $"{text} cwnd=- rto=-";
        }

        return WaitedForArp ? $"{text} after-arp" : text;
    }
}
