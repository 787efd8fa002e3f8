using TinyStack.Host.Capture;
using TinyStack.Time;

namespace TinyStack.Host.Links;

/// <summary>
/// Wraps a link and writes every frame that passes, in and out, to a capture file, stamped with
/// the <c>now</c> of the call. In pcapng, a received frame the stack dropped carries the
/// <see cref="DropReason"/> as its comment, and a transmitted frame carries its
/// <see cref="TxNote"/> (why it was sent); accepted frames have no comment.
/// </summary>
/// <remarks>
/// The verdict on a received frame arrives after the stack has processed it, and the stack may
/// have answered it meanwhile. So the received frame is held until <see cref="ReportVerdict"/>
/// (or the next <see cref="Receive"/> or <see cref="Poll"/>, without a comment), and frames
/// transmitted in between are held too and written after it: the file shows the request before
/// the reply. Buffers are reused, so steady-state capture allocates only the comment strings.
/// The writer is flushed at most every 100 ms of link time and on dispose. The wrapper owns the
/// inner link and the writer, and disposes both.
/// </remarks>
public sealed class CapturingLink : ILinkDevice
{
    private static readonly Duration s_flushInterval = Duration.FromMilliseconds(100);

    private readonly ILinkDevice _inner;
    private readonly ICaptureWriter _writer;
    private readonly List<DeferredFrame> _deferred = [];
    private byte[] _pendingInbound;
    private int _pendingLength;
    private Instant _pendingTimestamp;
    private bool _hasPending;
    private byte[] _deferredBytes;
    private int _deferredUsed;
    private bool _dirty;
    private Instant _lastFlush;
    private bool _disposed;

    public CapturingLink(ILinkDevice inner, ICaptureWriter writer)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(writer);
        _inner = inner;
        _writer = writer;
        int frameSize = inner.Mtu + MemoryLink.LinkHeaderAllowance;
        _pendingInbound = new byte[frameSize];
        _deferredBytes = new byte[4 * frameSize];
    }

    public ILinkDevice Inner => _inner;

    public ICaptureWriter Writer => _writer;

    public int Mtu => _inner.Mtu;

    public int WaitHandle => _inner.WaitHandle;

    public Instant NextDeadline => _dirty
        ? Instant.Min(_inner.NextDeadline, _lastFlush + s_flushInterval)
        : _inner.NextDeadline;

    public int Receive(Span<byte> buffer, Instant now)
    {
        WritePendingInbound(null);
        int length = _inner.Receive(buffer, now);
        if (length > 0)
        {
            if (_pendingInbound.Length < length)
            {
                _pendingInbound = new byte[length];
            }

            buffer[..length].CopyTo(_pendingInbound);
            _pendingLength = length;
            _pendingTimestamp = now;
            _hasPending = true;
        }

        return length;
    }

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        _inner.Transmit(frame, note, now);
        if (_hasPending)
        {
            Defer(frame, note, now);
        }
        else
        {
            WriteOutbound(frame, note, now);
        }
    }

    public void ReportVerdict(DropReason verdict)
    {
        _inner.ReportVerdict(verdict);

        // Enum.ToString returns the cached name of a defined value: no allocation per frame.
        WritePendingInbound(verdict == DropReason.Accepted ? null : verdict.ToString());
    }

    public void Poll(Instant now)
    {
        WritePendingInbound(null);
        _inner.Poll(now);
        if (_dirty && now - _lastFlush >= s_flushInterval)
        {
            _writer.Flush();
            _dirty = false;
            _lastFlush = now;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            WritePendingInbound(null);
            _writer.Dispose();
        }
        finally
        {
            _inner.Dispose();
        }
    }

    private static string? Comment(in TxNote note) =>
        note == default ? null : note.ToString();

    private void WriteOutbound(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        _writer.Write(frame, now, CaptureDirection.Outbound, Comment(note));
        _dirty = true;
    }

    private void WritePendingInbound(string? comment)
    {
        if (!_hasPending)
        {
            return;
        }

        _hasPending = false;
        _writer.Write(_pendingInbound.AsSpan(0, _pendingLength), _pendingTimestamp, CaptureDirection.Inbound, comment);
        _dirty = true;
        foreach (DeferredFrame deferred in _deferred)
        {
            WriteOutbound(_deferredBytes.AsSpan(deferred.Offset, deferred.Length), deferred.Note, deferred.Timestamp);
        }

        _deferred.Clear();
        _deferredUsed = 0;
    }

    private void Defer(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        if (_deferredBytes.Length - _deferredUsed < frame.Length)
        {
            Array.Resize(ref _deferredBytes, Math.Max(_deferredBytes.Length * 2, _deferredUsed + frame.Length));
        }

        frame.CopyTo(_deferredBytes.AsSpan(_deferredUsed));
        _deferred.Add(new DeferredFrame(_deferredUsed, frame.Length, note, now));
        _deferredUsed += frame.Length;
    }
}
