namespace TinyStack;

/// <summary>Why the stack put a frame on the wire. Captures carry it as a packet comment.</summary>
public enum TxReason : byte
{
    Unspecified = 0,
    ArpRequest,
    ArpReply,
    GratuitousArp,
    EchoReply,
    EchoRequest,
    IcmpError,
    Fragment,
    UdpData,
    TcpSyn,
    TcpSynAck,
    TcpNewData,
    TcpRetransmitRto,
    TcpFastRetransmit,
    TcpSackRetransmit,
    TcpTailLossProbe,
    TcpZeroWindowProbe,
    TcpKeepalive,
    TcpChallengeAck,
    TcpWindowUpdate,
    TcpAck,
    TcpDelayedAck,
    TcpFin,
    TcpReset,
}
