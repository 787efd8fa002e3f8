using TinyStack.Time;

namespace TinyStack.Host.Replay;

/// <summary>
/// One line of a replay: a frame fed to the stack (with its verdict), or a frame the stack sent
/// in answer (with its reason). <see cref="Frame"/> is a copy, safe to keep.
/// </summary>
public sealed record ReplayEvent(int Index, Instant At, bool Inbound, byte[] Frame, DropReason Verdict, TxNote Note)
{
    public override string ToString()
    {
        string summary = Wire.FrameSummary.Describe(Frame);
        return Inbound
            ? $"#{Index,-4} {At}  in   {summary}  -> {(Verdict == DropReason.Accepted ? "accepted" : $"dropped: {Verdict}")}"
            : $"#{Index,-4} {At}  out  {summary}  ({Note})";
    }
}
