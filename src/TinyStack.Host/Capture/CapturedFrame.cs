namespace TinyStack.Host.Capture;

/// <summary>One frame read from a capture file.</summary>
/// <param name="TimestampMicros">When it was captured, in microseconds since the Unix epoch.</param>
/// <param name="Data">The captured bytes (an Ethernet frame).</param>
public readonly record struct CapturedFrame(long TimestampMicros, byte[] Data)
{
    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampMicros * TimeSpan.TicksPerMicrosecond);
}
