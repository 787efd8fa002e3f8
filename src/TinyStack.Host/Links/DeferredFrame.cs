using TinyStack.Time;

namespace TinyStack.Host.Links;

/// <summary>An outbound frame a <see cref="CapturingLink"/> holds back so the capture stays in order.</summary>
internal readonly record struct DeferredFrame(int Offset, int Length, TxNote Note, Instant Timestamp);
