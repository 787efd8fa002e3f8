using TinyStack.Time;

namespace TinyStack.Tcp.Congestion;

/// <summary>
/// What one cumulative ACK told the sender, as <see cref="ICongestionControl.OnAck"/> receives it.
/// </summary>
/// <param name="Now">When the ACK arrived.</param>
/// <param name="AckedBytes">Bytes newly acknowledged (N in RFC 3465 and RFC 9406).</param>
/// <param name="PriorInFlight">
/// Bytes in flight before this ACK: an algorithm grows cwnd only when the sender was using it
/// (RFC 7661 spirit, as Linux's tcp_is_cwnd_limited).
/// </param>
/// <param name="BytesInFlight">Bytes still in flight after this ACK (SND.NXT - SND.UNA).</param>
/// <param name="SndUna">SND.UNA after this ACK.</param>
/// <param name="SndNxt">SND.NXT now: HyStart++ (RFC 9406 §4.2) ends a round when SND.UNA passes the SND.NXT of its start.</param>
/// <param name="InRecovery">True during fast recovery, when RFC 6675's pipe governs sending and cwnd is held.</param>
public readonly record struct CongestionAck(
    Instant Now,
    uint AckedBytes,
    uint PriorInFlight,
    uint BytesInFlight,
    SeqNumber SndUna,
    SeqNumber SndNxt,
    bool InRecovery);
