namespace TinyStack.Tcp;

/// <summary>The eleven connection states of RFC 9293 §3.3.2 (Figure 6).</summary>
public enum TcpState : byte
{
    /// <summary>No connection: the fictional state before creation and after deletion.</summary>
    Closed,

    /// <summary>Waiting for a connection request from any remote TCP peer and port.</summary>
    Listen,

    /// <summary>Our SYN is sent; waiting for a matching SYN (and ACK).</summary>
    SynSent,

    /// <summary>A SYN was received and our SYN sent; waiting for the ACK of our SYN.</summary>
    SynReceived,

    /// <summary>An open connection: data flows both ways.</summary>
    Established,

    /// <summary>We closed: our FIN is sent; waiting for its ACK or the peer's FIN.</summary>
    FinWait1,

    /// <summary>Our FIN is acknowledged; waiting for the peer's FIN.</summary>
    FinWait2,

    /// <summary>The peer closed (its FIN arrived); waiting for our application to close.</summary>
    CloseWait,

    /// <summary>Both sides closed at once; waiting for the ACK of our FIN.</summary>
    Closing,

    /// <summary>The peer closed first and so did we; waiting for the ACK of our FIN.</summary>
    LastAck,

    /// <summary>Both FINs exchanged; waiting 2*MSL so that stray segments of this connection die out.</summary>
    TimeWait,
}
