using System.Diagnostics;
using TinyStack.Time;

namespace TinyStack.Host;

/// <summary>
/// The default clock: <see cref="Stopwatch"/> (CLOCK_MONOTONIC on Linux) in microseconds since the
/// clock was created. <see cref="WallClockAtZero"/> remembers the wall-clock time of
/// <see cref="Instant.Zero"/> so that captures can stamp frames with real dates.
/// </summary>
public sealed class StopwatchClock : IMonotonicClock
{
    private const long MicrosecondsPerSecond = 1_000_000;

    private static readonly long s_frequency = Stopwatch.Frequency;

    private readonly long _origin;

    public StopwatchClock()
    {
        _origin = Stopwatch.GetTimestamp();
        WallClockAtZero = DateTimeOffset.UtcNow;
    }

    /// <summary>The wall-clock time at which this clock read <see cref="Instant.Zero"/>.</summary>
    public DateTimeOffset WallClockAtZero { get; }

    public Instant Now => new(ToMicroseconds(Stopwatch.GetTimestamp() - _origin));

    // Split into whole seconds and a remainder: "ticks * 1e6" alone would overflow a long after
    // about 2.5 hours at the nanosecond tick rate Linux reports.
    private static long ToMicroseconds(long ticks)
    {
        long seconds = ticks / s_frequency;
        long remainder = ticks % s_frequency;
        return (seconds * MicrosecondsPerSecond) + (remainder * MicrosecondsPerSecond / s_frequency);
    }
}
