using TinyStack.Host.Capture;
using TinyStack.Time;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// The last <see cref="Capacity"/> frames a node sent and received, kept in one preallocated
/// arena so that recording allocates nothing per frame; written out as pcapng only when a test
/// fails. Notes and verdicts are kept as values and turned into comments at write time.
/// </summary>
public sealed class FrameHistory
{
    private readonly byte[] _arena;
    private readonly int _slotSize;
    private readonly Entry[] _entries;
    private long _recorded;

    public FrameHistory(int capacity, int maxFrameLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _slotSize = maxFrameLength;
        _arena = new byte[capacity * maxFrameLength];
        _entries = new Entry[capacity];
    }

    public int Capacity { get; }

    /// <summary>Frames recorded since creation (older ones have been overwritten).</summary>
    public long Recorded => _recorded;

    public void RecordOutbound(ReadOnlySpan<byte> frame, in TxNote note, Instant at) =>
        Record(frame, at, CaptureDirection.Outbound, note, DropReason.Accepted);

    public void RecordInbound(ReadOnlySpan<byte> frame, Instant at) =>
        Record(frame, at, CaptureDirection.Inbound, default, DropReason.Accepted);

    /// <summary>The stack's verdict on the most recent inbound frame.</summary>
    public void SetVerdict(DropReason verdict)
    {
        if (_recorded == 0)
        {
            return;
        }

        ref Entry last = ref _entries[(_recorded - 1) % Capacity];
        if (last.Direction == CaptureDirection.Inbound)
        {
            last.Verdict = verdict;
        }
    }

    /// <summary>Writes the kept frames, oldest first, to <paramref name="path"/> (.pcapng keeps directions and comments).</summary>
    public void WriteTo(string path)
    {
        using ICaptureWriter writer = CaptureWriter.Create(path, DateTimeOffset.UnixEpoch, "sim");
        long first = Math.Max(0, _recorded - Capacity);
        for (long i = first; i < _recorded; i++)
        {
            int slot = (int)(i % Capacity);
            Entry entry = _entries[slot];
            string? comment = entry.Direction == CaptureDirection.Outbound
                ? entry.Note.ToString()
                : entry.Verdict == DropReason.Accepted ? null : entry.Verdict.ToString();
            writer.Write(_arena.AsSpan(slot * _slotSize, entry.Length), entry.At, entry.Direction, comment);
        }
    }

    private void Record(ReadOnlySpan<byte> frame, Instant at, CaptureDirection direction, TxNote note, DropReason verdict)
    {
        int slot = (int)(_recorded % Capacity);
        int length = Math.Min(frame.Length, _slotSize);
        frame[..length].CopyTo(_arena.AsSpan(slot * _slotSize, length));
        _entries[slot] = new Entry(length, at, direction, note, verdict);
        _recorded++;
    }

    private record struct Entry(int Length, Instant At, CaptureDirection Direction, TxNote Note, DropReason Verdict);
}
