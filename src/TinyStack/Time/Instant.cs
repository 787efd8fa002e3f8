namespace TinyStack.Time;

/// <summary>
/// A point on the stack's monotonic clock, in microseconds. The core never reads a clock: every
/// call that needs the time receives an <see cref="Instant"/>, so tests can run in virtual time.
/// </summary>
public readonly record struct Instant(long Microseconds) : IComparable<Instant>
{
    /// <summary>The start of virtual time.</summary>
    public static readonly Instant Zero = new(0);

    /// <summary>"Never": the deadline of something that is not scheduled.</summary>
    public static readonly Instant MaxValue = new(long.MaxValue);

    public double TotalMilliseconds => Microseconds / 1000.0;

    public double TotalSeconds => Microseconds / 1_000_000.0;

    public static Instant FromMilliseconds(long milliseconds) => new(milliseconds * 1000);

    public static Instant Min(Instant a, Instant b) => a.Microseconds <= b.Microseconds ? a : b;

    public static Instant Max(Instant a, Instant b) => a.Microseconds >= b.Microseconds ? a : b;

    public int CompareTo(Instant other) => Microseconds.CompareTo(other.Microseconds);

    /// <summary>Saturates at <see cref="MaxValue"/> so that "never + x" stays "never".</summary>
    public static Instant operator +(Instant instant, Duration duration)
    {
        long sum = instant.Microseconds + duration.Microseconds;
        bool overflow = duration.Microseconds > 0 && sum < instant.Microseconds;
        return overflow ? MaxValue : new Instant(sum);
    }

    public static Instant operator -(Instant instant, Duration duration) => new(instant.Microseconds - duration.Microseconds);

    public static Duration operator -(Instant a, Instant b) => new(a.Microseconds - b.Microseconds);

    public static bool operator <(Instant a, Instant b) => a.Microseconds < b.Microseconds;

    public static bool operator >(Instant a, Instant b) => a.Microseconds > b.Microseconds;

    public static bool operator <=(Instant a, Instant b) => a.Microseconds <= b.Microseconds;

    public static bool operator >=(Instant a, Instant b) => a.Microseconds >= b.Microseconds;

    public override string ToString() => this == MaxValue ? "never" : $"{Microseconds / 1_000_000}.{Microseconds % 1_000_000:D6}s";
}
