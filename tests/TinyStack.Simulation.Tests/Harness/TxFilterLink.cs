using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// Wraps a node's link, logs why its stack sent each frame (the <see cref="TxNote"/>), and drops
/// the frames a rule picks: a way to lose exactly the segment a test is about.
/// </summary>
public sealed class TxFilterLink(ILinkDevice inner) : ILinkDevice
{
    /// <summary>Frames for which this returns true are not passed on (they are still logged).</summary>
    public Func<TxNote, bool>? Drop { get; set; }

    /// <summary>Every frame the stack transmitted, in order, with when and why.</summary>
    public List<(Instant At, TxNote Note)> Sent { get; } = [];

    /// <summary>Frames the rule dropped.</summary>
    public int Dropped { get; private set; }

    public int Mtu => inner.Mtu;

    public Instant NextDeadline => inner.NextDeadline;

    public int WaitHandle => inner.WaitHandle;

    /// <summary>How many frames went out for <paramref name="reason"/> in [<paramref name="since"/>, <paramref name="until"/>).</summary>
    public int Count(TxReason reason, Instant since = default, Instant? until = null) =>
        Sent.Count(s => s.Note.Reason == reason && s.At >= since && s.At < (until ?? Instant.MaxValue));

    /// <summary>When the first frame for <paramref name="reason"/> went out at or after <paramref name="since"/>, if one did.</summary>
    public Instant? First(TxReason reason, Instant since = default)
    {
        foreach ((Instant at, TxNote note) in Sent)
        {
            if (note.Reason == reason && at >= since)
            {
                return at;
            }
        }

        return null;
    }

    public int Receive(Span<byte> buffer, Instant now) => inner.Receive(buffer, now);

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        Sent.Add((now, note));
        if (Drop?.Invoke(note) == true)
        {
            Dropped++;
            return;
        }

        inner.Transmit(frame, note, now);
    }

    public void ReportVerdict(DropReason verdict) => inner.ReportVerdict(verdict);

    public void Poll(Instant now) => inner.Poll(now);

    public void Dispose() => inner.Dispose();
}
