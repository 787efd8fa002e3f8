using TinyStack.Time;

namespace TinyStack;

/// <summary>
/// What the stack says about a frame it transmits: the reason and, for TCP, the sender's state at
/// that moment. A value type so that annotating a frame allocates nothing.
/// </summary>
/// <param name="Reason">Why the frame was sent.</param>
/// <param name="Count">For retransmissions, which attempt this is (1 = first retransmission).</param>
/// <param name="Cwnd">Congestion window in bytes at send time, 0 when not TCP.</param>
/// <param name="Rto">Retransmission timeout at send time, zero when not TCP.</param>
public readonly record struct TxNote(TxReason Reason, int Count = 0, uint Cwnd = 0, Duration Rto = default)
{
    public static implicit operator TxNote(TxReason reason) => new(reason);

    public override string ToString() => Reason switch
    {
        _ when Cwnd != 0 => Count > 0
            ? $"{Reason} #{Count} cwnd={Cwnd} rto={Rto}"
            : $"{Reason} cwnd={Cwnd} rto={Rto}",
        _ => Count > 0 ? $"{Reason} #{Count}" : Reason.ToString(),
    };
}
