using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// Wraps a node's link and keeps what passes in a <see cref="FrameHistory"/>: frames as the stack
/// sent them (before any fault on the way) and as it received them (after), with its verdicts.
/// </summary>
public sealed class RecordingLink(ILinkDevice inner, FrameHistory history) : ILinkDevice
{
    public ILinkDevice Inner => inner;

    public FrameHistory History => history;

    public int Mtu => inner.Mtu;

    public Instant NextDeadline => inner.NextDeadline;

    public int WaitHandle => inner.WaitHandle;

    public int Receive(Span<byte> buffer, Instant now)
    {
        int length = inner.Receive(buffer, now);
        if (length > 0)
        {
            history.RecordInbound(buffer[..length], now);
        }

        return length;
    }

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        history.RecordOutbound(frame, note, now);
        inner.Transmit(frame, note, now);
    }

    public void ReportVerdict(DropReason verdict)
    {
        history.SetVerdict(verdict);
        inner.ReportVerdict(verdict);
    }

    public void Poll(Instant now) => inner.Poll(now);

    public void Dispose() => inner.Dispose();
}
