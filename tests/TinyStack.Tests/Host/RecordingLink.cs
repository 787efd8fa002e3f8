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
    private long _extraDeadline = long.MaxValue;

    public RecordingLink(ILinkDevice inner)
    {
        _inner = inner;
    }

    /// <summary>An extra deadline to report, to see that the driver honours it.</summary>
    public Instant ExtraDeadline
    {
        get => new(Volatile.Read(ref _extraDeadline));
        set => Volatile.Write(ref _extraDeadline, value.Microseconds);
    }

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

    public int Receive(Span<byte> buffer, Instant now) => Echo ? ReceiveAndRemember(buffer, now) : _inner.Receive(buffer, now);

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now) => _inner.Transmit(frame, note, now);

    /// <summary>When set, every received frame is sent straight back (as a stack would answer).</summary>
    public bool Echo { get; set; }

    private readonly byte[] _last = new byte[2048];
    private int _lastLength;

    public int ReceiveAndRemember(Span<byte> buffer, Instant now)
    {
        int n = _inner.Receive(buffer, now);
        buffer[..n].CopyTo(_last);
        _lastLength = n;
        return n;
    }

    public void ReportVerdict(DropReason verdict)
    {
        lock (_gate)
        {
            _verdicts.Add(verdict);
        }

        if (Echo && _lastLength > 0)
        {
            _inner.Transmit(_last.AsSpan(0, _lastLength), TxReason.EchoReply, Instant.Zero);
        }

        _inner.ReportVerdict(verdict);
    }

    public void Poll(Instant now)
    {
        lock (_gate)
        {
            _polls.Add(now);
        }

        // The extra deadline is "work" that a poll at or after it completes.
        if (now >= ExtraDeadline)
        {
            ExtraDeadline = Instant.MaxValue;
        }

        _inner.Poll(now);
    }

    public void Dispose() => _inner.Dispose();
}
