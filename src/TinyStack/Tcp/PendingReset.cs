using TinyStack.Time;

namespace TinyStack.Tcp;

/// <summary>A RST that an application call (Abort) asked for; it goes out at the layer's next Poll.</summary>
internal readonly record struct PendingReset(TcpTuple Tuple, SeqNumber Seq, TcpResetCause Cause, uint Cwnd, Duration Rto);
