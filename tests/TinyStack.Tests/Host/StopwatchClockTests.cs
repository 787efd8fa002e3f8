using TinyStack.Host;
using TinyStack.Time;

namespace TinyStack.Tests.Host;

public class StopwatchClockTests
{
    [Fact]
    public void Starts_near_zero_and_tracks_real_time_in_microseconds()
    {
        var clock = new StopwatchClock();
        Instant start = clock.Now;
        Assert.InRange(start.Microseconds, 0, 100_000);
        Assert.InRange((DateTimeOffset.UtcNow - clock.WallClockAtZero).TotalSeconds, 0, 1);

        Thread.Sleep(50);
        Duration elapsed = clock.Now - start;
        Assert.InRange(elapsed.Microseconds, 49_000, 5_000_000);
    }

    [Fact]
    public void Never_goes_backwards()
    {
        var clock = new StopwatchClock();
        Instant previous = clock.Now;
        for (int i = 0; i < 100_000; i++)
        {
            Instant now = clock.Now;
            Assert.True(now >= previous);
            previous = now;
        }
    }
}
