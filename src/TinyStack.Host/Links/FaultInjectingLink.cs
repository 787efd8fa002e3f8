using TinyStack.Time;

namespace TinyStack.Host.Links;

/// <summary>
/// Wraps a link and makes it worse: seeded random drop, duplication, reordering, one-bit
/// corruption, a fixed delay and a rate-limited bottleneck with a drop-tail queue. Faults apply to
/// both directions by default (<see cref="FaultOptions.Directions"/>), each with its own random
/// stream, and run in virtual time: delayed frames come out of <see cref="Receive"/> (inbound) or
/// are handed to the inner link by <see cref="Poll"/> (outbound) once the <c>now</c> passed in
/// reaches their due time, and <see cref="NextDeadline"/> tells the driver when that is.
/// </summary>
/// <remarks>
/// The wrapper owns the inner link and disposes it. To capture the frames the stack actually
/// sees, with verdicts, put a <see cref="CapturingLink"/> outside this one: inbound verdicts cannot
/// be passed through when the inbound direction has faults, because the frame the stack judged is
/// not the frame the inner link most recently returned.
/// </remarks>
public sealed class FaultInjectingLink : ILinkDevice
{
    // Distinct PCG streams per direction: the same seed gives unrelated sequences in each.
    private const ulong InboundStream = 0x1B;
    private const ulong OutboundStream = 0x0B;

    private readonly ILinkDevice _inner;
    private readonly FaultPipeline? _inbound;
    private readonly FaultPipeline? _outbound;
    private readonly byte[] _scratch;

    public FaultInjectingLink(ILinkDevice inner, FaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _inner = inner;
        Options = options;
        int slotSize = inner.Mtu + MemoryLink.LinkHeaderAllowance;
        _scratch = new byte[slotSize];
        if (!options.IsEmpty)
        {
            if (options.Directions.HasFlag(FaultDirections.Inbound))
            {
                _inbound = new FaultPipeline(options, InboundStream, slotSize, Stats.Inbound);
            }

            if (options.Directions.HasFlag(FaultDirections.Outbound))
            {
                _outbound = new FaultPipeline(options, OutboundStream, slotSize, Stats.Outbound);
            }
        }
    }

    public ILinkDevice Inner => _inner;

    public FaultOptions Options { get; }

    public FaultStats Stats { get; } = new();

    public int Mtu => _inner.Mtu;

    public int WaitHandle => _inner.WaitHandle;

    public Instant NextDeadline
    {
        get
        {
            Instant next = _inner.NextDeadline;
            if (_inbound is not null)
            {
                next = Instant.Min(next, _inbound.NextDeadline);
            }

            if (_outbound is not null)
            {
                next = Instant.Min(next, _outbound.NextDeadline);
            }

            return next;
        }
    }

    public int Receive(Span<byte> buffer, Instant now)
    {
        if (_inbound is null)
        {
            return _inner.Receive(buffer, now);
        }

        // Every frame the inner link has arrived "now": it enters the faults at this time.
        int n;
        while ((n = _inner.Receive(_scratch, now)) > 0)
        {
            _inbound.Enqueue(_scratch.AsSpan(0, n), default, now);
        }

        ReadOnlySpan<byte> frame = _inbound.PeekDue(now, out _);
        if (frame.IsEmpty)
        {
            return 0;
        }

        if (buffer.Length < frame.Length)
        {
            throw new ArgumentException(
                $"The receive buffer holds {buffer.Length} bytes but the next frame has {frame.Length}; pass a buffer of MTU + {MemoryLink.LinkHeaderAllowance} bytes.",
                nameof(buffer));
        }

        frame.CopyTo(buffer);
        _inbound.Pop();
        return frame.Length;
    }

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        if (_outbound is null)
        {
            _inner.Transmit(frame, note, now);
            return;
        }

        _outbound.Enqueue(frame, note, now);
        ReleaseOutbound(now);
    }

    public void ReportVerdict(DropReason verdict)
    {
        if (_inbound is null)
        {
            _inner.ReportVerdict(verdict);
        }
    }

    public void Poll(Instant now)
    {
        if (_outbound is not null)
        {
            ReleaseOutbound(now);
        }

        _inner.Poll(now);
    }

    public void Dispose() => _inner.Dispose();

    private void ReleaseOutbound(Instant now)
    {
        while (true)
        {
            ReadOnlySpan<byte> frame = _outbound!.PeekDue(now, out TxNote note);
            if (frame.IsEmpty)
            {
                return;
            }

            _inner.Transmit(frame, note, now);
            _outbound.Pop();
        }
    }
}
