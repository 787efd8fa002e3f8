namespace TinyStack;

/// <summary>
/// Why TCP sent a RST, carried in <see cref="TxNote.ResetCause"/> so that a capture says which
/// rule of RFC 9293 (or which local decision) produced it.
/// </summary>
public enum TcpResetCause : byte
{
    /// <summary>Not a reset.</summary>
    None = 0,

    /// <summary>A segment for a port with no connection and no listener (RFC 9293 §3.10.7.1).</summary>
    NoListener,

    /// <summary>An ACK to a listening port that matches no connection (RFC 9293 §3.10.7.2, "any acknowledgment is bad").</summary>
    AckInListen,

    /// <summary>An ACK in SYN-SENT that does not acknowledge our SYN: a segment of an old connection (RFC 9293 §3.10.7.3).</summary>
    BadAckInSynSent,

    /// <summary>An ACK in SYN-RECEIVED outside SND.UNA &lt; SEG.ACK =&lt; SND.NXT (RFC 9293 §3.10.7.4).</summary>
    BadAckInSynReceived,

    /// <summary>The application aborted the connection (RFC 9293 §3.10.5 ABORT).</summary>
    ApplicationAbort,

    /// <summary>The application closed with received data it never read, so the peer must learn it was lost (RFC 2525 §2.17).</summary>
    CloseWithUnreadData,

    /// <summary>New data arrived after the application closed; it can never be read (RFC 2525 §2.17, as Linux).</summary>
    DataAfterClose,

    /// <summary>The listener was closed while this connection waited in its SYN or accept queue.</summary>
    ListenerClosed,
}
