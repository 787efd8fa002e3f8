using TinyStack.Interface;
using TinyStack.Time;

namespace TinyStack.Tests.Interface;

public class TokenBucketTests
{
    [Fact]
    public void Burst_then_one_token_per_interval_keeping_partial_intervals()
    {
        var bucket = new TokenBucket(Duration.FromMilliseconds(100), burst: 3);
        Instant t = Instant.FromMilliseconds(5000);

        Assert.True(bucket.TryTake(t));
        Assert.True(bucket.TryTake(t));
        Assert.True(bucket.TryTake(t));
        Assert.False(bucket.TryTake(t));

        Assert.False(bucket.TryTake(t + Duration.FromMilliseconds(60)));
        Assert.True(bucket.TryTake(t + Duration.FromMilliseconds(100)));

        // 150 ms later: one token, and the 50 ms beyond it count towards the next.
        Assert.True(bucket.TryTake(t + Duration.FromMilliseconds(250)));
        Assert.False(bucket.TryTake(t + Duration.FromMilliseconds(260)));
        Assert.True(bucket.TryTake(t + Duration.FromMilliseconds(300)));
    }

    [Fact]
    public void Idle_time_refills_to_the_burst_only()
    {
        var bucket = new TokenBucket(Duration.FromMilliseconds(100), burst: 2);
        Instant t = Instant.Zero;
        bucket.TryTake(t);
        bucket.TryTake(t);

        t += Duration.FromSeconds(100);
        Assert.True(bucket.TryTake(t));
        Assert.True(bucket.TryTake(t));
        Assert.False(bucket.TryTake(t));
    }
}
