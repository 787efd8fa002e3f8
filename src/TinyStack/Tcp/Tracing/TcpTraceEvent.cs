namespace TinyStack.Tcp.Tracing;

/// <summary>Why a row was recorded in a <see cref="TcpTrace"/>.</summary>
public enum TcpTraceEvent : byte
{
    /// <summary>A segment (every segment carries an ACK) was processed and the output it released was sent.</summary>
    Ack,

    /// <summary>Loss detected by duplicate ACKs or SACK: fast recovery entered (RFC 5681 §3.2, RFC 6675 §5).</summary>
    LossDetected,

    /// <summary>The retransmission timer expired (RFC 6298 §5.4-5.6, RFC 5681 §3.1).</summary>
    RetransmitTimeout,

    /// <summary>Recovery (fast, or after a timeout) ended: the recovery point was acknowledged.</summary>
    RecoveryExited,

    /// <summary>Sending resumed after an idle period longer than the RTO (RFC 5681 §4.1).</summary>
    IdleRestart,

    /// <summary>The connection changed state (RFC 9293 §3.3.2).</summary>
    StateChanged,
}
