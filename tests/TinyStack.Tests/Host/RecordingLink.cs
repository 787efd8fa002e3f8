using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Tests.Host;

/// <summary>A pass-through link that records the verdicts it is told and the times it is polled.</summary>
internal sealed class RecordingLink : ILinkDevice
{
    private readonly ILinkDevice _inner;
    private readonly object _gate = new();
    private readonly List<DropReason> _verdicts = [];
    private readonly List<Instant> _polls = [];

    public RecordingLink(ILinkDevice inner)
    {
        _inner = inner;
    }

    /// <summary>An extra deadline to report, to see that the driver honours it.</summary>
    public Instant ExtraDeadline { get; set; } = Instant.MaxValue;

    public int Mtu => _inner.Mtu;

    public Instant NextDeadline => Instant.Min(_inner.NextDeadline, ExtraDeadline);

    public int WaitHandle => _inner.WaitHandle;

    public DropReason[] Verdicts
    {
        get
        {
            lock (_gate)
            {
                return [.. _verdicts];
            }
        }
    }

    public Instant[] Polls
    {
        get
        {
            lock (_gate)
            {
                return [.. _polls];
            }
        }
    }

    public int Receive(Span<byte> buffer, Instant now) => _inner.Receive(buffer, now);

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now) => _inner.Transmit(frame, note, now);

    public void ReportVerdict(DropReason verdict)
    {
        lock (_gate)
        {
            _verdicts.Add(verdict);
        }

        _inner.ReportVerdict(verdict);
    }

    public void Poll(Instant now)
    {
        lock (_gate)
        {
            _polls.Add(now);
        }

        _inner.Poll(now);
    }

    public void Dispose() => _inner.Dispose();
}
