namespace TinyStack.Time;

/// <summary>A span of time on the stack's clock, in microseconds.</summary>
public readonly record struct Duration(long Microseconds) : IComparable<Duration>
{
    public static readonly Duration Zero = new(0);

    public static readonly Duration MaxValue = new(long.MaxValue);

    public double TotalMilliseconds => Microseconds / 1000.0;

    public double TotalSeconds => Microseconds / 1_000_000.0;

    public static Duration FromMicroseconds(long microseconds) => new(microseconds);

    public static Duration FromMilliseconds(long milliseconds) => new(milliseconds * 1000);

    public static Duration FromSeconds(long seconds) => new(seconds * 1_000_000);

    public static Duration FromTimeSpan(TimeSpan span) => new(span.Ticks / TimeSpan.TicksPerMicrosecond);

    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Microseconds * TimeSpan.TicksPerMicrosecond);

    public static Duration Min(Duration a, Duration b) => a.Microseconds <= b.Microseconds ? a : b;

    public static Duration Max(Duration a, Duration b) => a.Microseconds >= b.Microseconds ? a : b;

    public int CompareTo(Duration other) => Microseconds.CompareTo(other.Microseconds);

    public static Duration operator +(Duration a, Duration b) => new(a.Microseconds + b.Microseconds);

    public static Duration operator -(Duration a, Duration b) => new(a.Microseconds - b.Microseconds);

    public static Duration operator *(Duration a, long factor) => new(a.Microseconds * factor);

    public static Duration operator /(Duration a, long divisor) => new(a.Microseconds / divisor);

    public static bool operator <(Duration a, Duration b) => a.Microseconds < b.Microseconds;

    public static bool operator >(Duration a, Duration b) => a.Microseconds > b.Microseconds;

    public static bool operator <=(Duration a, Duration b) => a.Microseconds <= b.Microseconds;

    public static bool operator >=(Duration a, Duration b) => a.Microseconds >= b.Microseconds;

    public override string ToString() => Microseconds >= 1_000_000
        ? $"{TotalSeconds:0.###}s"
        : Microseconds >= 1000 ? $"{TotalMilliseconds:0.###}ms" : $"{Microseconds}us";
}
