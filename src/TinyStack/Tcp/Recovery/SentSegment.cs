using TinyStack.Time;

namespace TinyStack.Tcp.Recovery;

/// <summary>
/// What RACK (RFC 8985 §5.2) remembers of one transmitted segment: its sequence range, when it was
/// last (re)transmitted, and whether it was retransmitted, delivered (SACKed) or deemed lost and
/// not yet retransmitted since.
/// </summary>
internal struct SentSegment
{
    public SeqNumber Start;
    public SeqNumber End;
    public Instant XmitTime;
    public bool Retransmitted;
    public bool Delivered;
    public bool Lost;

    public readonly int Length => End - Start;
}
