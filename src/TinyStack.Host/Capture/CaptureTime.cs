using TinyStack.Time;

namespace TinyStack.Host.Capture;

/// <summary>Maps stack instants to Unix-epoch microseconds for capture timestamps.</summary>
internal static class CaptureTime
{
    public static long UnixMicroseconds(DateTimeOffset wallClock) =>
        (wallClock.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static long UnixMicroseconds(long unixMicrosecondsAtZero, Instant timestamp) =>
        unixMicrosecondsAtZero + timestamp.Microseconds;
}
