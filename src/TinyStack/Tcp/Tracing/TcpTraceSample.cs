using TinyStack.Tcp.Congestion;
using TinyStack.Time;

namespace TinyStack.Tcp.Tracing;

/// <summary>One row of a <see cref="TcpTrace"/>: the sender's congestion and timer state at one moment.</summary>
/// <param name="Time">When (the stack's monotonic clock).</param>
/// <param name="Event">Why the row was recorded.</param>
/// <param name="State">The connection state.</param>
/// <param name="Phase">Slow start, CSS, avoidance, or fast/loss recovery.</param>
/// <param name="Cwnd">Congestion window, bytes.</param>
/// <param name="Ssthresh">Slow start threshold, bytes (<see cref="uint.MaxValue"/> before the first congestion event).</param>
/// <param name="BytesInFlight">RFC 6675 pipe: the bytes the sender believes are in the network, compared with cwnd.</param>
/// <param name="Srtt">Smoothed RTT (RFC 6298), zero before the first sample.</param>
/// <param name="RttVar">RTT variation (RFC 6298).</param>
/// <param name="Rto">Retransmission timeout, backoff included.</param>
/// <param name="SndUna">SND.UNA.</param>
/// <param name="SndNxt">SND.NXT.</param>
/// <param name="SndWnd">SND.WND: the peer's receive window, bytes.</param>
/// <param name="RcvWnd">RCV.WND: the receive window we advertised, bytes.</param>
/// <param name="Retransmits">Segments this connection has retransmitted so far.</param>
/// <param name="LimitedTransmit">
/// Bytes sent by RFC 3042 limited transmit on the duplicate ACKs before recovery. RFC 5681 §3.2
/// FlightSize, from which a loss sets ssthresh, is SND.NXT - SND.UNA minus these; the
/// <see cref="TcpTraceEvent.LossDetected"/> row shows the bytes left out at that loss.
/// </param>
public readonly record struct TcpTraceSample(
    Instant Time,
    TcpTraceEvent Event,
    TcpState State,
    CongestionPhase Phase,
    uint Cwnd,
    uint Ssthresh,
    uint BytesInFlight,
    Duration Srtt,
    Duration RttVar,
    Duration Rto,
    SeqNumber SndUna,
    SeqNumber SndNxt,
    uint SndWnd,
    uint RcvWnd,
    int Retransmits,
    uint LimitedTransmit = 0)
{
    /// <summary>RFC 5681 FlightSize: SND.NXT - SND.UNA without the limited transmit bytes (RFC 3042 §2).</summary>
    public uint FlightSize
    {
        get
        {
            uint flight = (uint)(SndNxt - SndUna);
            return flight - Math.Min(flight, LimitedTransmit);
        }
    }
}
