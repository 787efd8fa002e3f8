using TinyStack.Host.Capture;
using TinyStack.Time;

namespace TinyStack.Host.Replay;

/// <summary>
/// Feeds recorded frames through a fresh stack in virtual time and records what it would send.
/// Time starts at the first frame's timestamp; timers due between frames run before the next
/// frame arrives, exactly as they would have on the wire.
/// </summary>
public static class CaptureReplay
{
    /// <summary>
    /// Replays <paramref name="frames"/>. Frames whose source MAC is the stack's own (what the
    /// original responder sent) are skipped when <paramref name="skipOwnFrames"/> is set, so the
    /// stack can be put in the place of the host that answered in the capture.
    /// </summary>
    public static IReadOnlyList<ReplayEvent> Run(IEnumerable<CapturedFrame> frames, StackOptions options, bool skipOwnFrames = true, Duration? tail = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        NetworkStack stack = new(options);
        Recorder recorder = new();
        long? origin = null;
        Instant now = Instant.Zero;
        int index = 0;
        foreach (CapturedFrame frame in frames)
        {
            origin ??= frame.TimestampMicros;
            now = Instant.Max(now, new Instant(frame.TimestampMicros - origin.Value));
            RunTimersUntil(stack, recorder, now);
            index++;
            if (skipOwnFrames && frame.Data.Length >= 12 && new Wire.MacAddress(frame.Data.AsSpan(6, 6)) == options.Mac)
            {
                continue;
            }

            recorder.Index = index;
            recorder.Now = now;
            // The inbound line goes before the replies that Receive emits.
            int slot = recorder.Events.Count;
            recorder.Events.Add(new ReplayEvent(index, now, Inbound: true, frame.Data, DropReason.Accepted, default));
            DropReason verdict = stack.Receive(frame.Data, now, recorder);
            recorder.Events[slot] = recorder.Events[slot] with { Verdict = verdict };
            stack.Poll(now, recorder);
        }

        // Let the timers the last frames started run out (ARP retries, reassembly timeouts...).
        RunTimersUntil(stack, recorder, now + (tail ?? Duration.Zero));
        return recorder.Events;
    }

    private static void RunTimersUntil(NetworkStack stack, Recorder recorder, Instant until)
    {
        for (int guard = 0; guard < 100_000 && stack.NextDeadline <= until; guard++)
        {
            recorder.Now = stack.NextDeadline;
            stack.Poll(recorder.Now, recorder);
        }
    }

    private sealed class Recorder : IFrameSink
    {
        public List<ReplayEvent> Events { get; } = [];

        public int Index { get; set; }

        public Instant Now { get; set; }

        public void Transmit(ReadOnlySpan<byte> frame, in TxNote note) =>
            Events.Add(new ReplayEvent(Index, Now, Inbound: false, frame.ToArray(), DropReason.Accepted, note));
    }
}
