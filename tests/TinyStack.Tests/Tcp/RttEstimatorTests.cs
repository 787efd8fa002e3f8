using TinyStack.Tcp;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp;

public class RttEstimatorTests
{
    private static RttEstimator Create() => new(Duration.FromSeconds(1), Duration.FromMilliseconds(200), Duration.FromSeconds(120));

    [Fact]
    public void Starts_at_the_initial_rto()
    {
        RttEstimator rtt = Create();
        Assert.False(rtt.HasSample);
        Assert.Equal(Duration.FromSeconds(1), rtt.Rto);
    }

    [Fact]
    public void First_sample_sets_srtt_and_half_variance()
    {
        RttEstimator rtt = Create();
        rtt.Sample(Duration.FromMilliseconds(100));
        Assert.Equal(Duration.FromMilliseconds(100), rtt.Srtt);
        Assert.Equal(Duration.FromMilliseconds(50), rtt.RttVar);

        // RTO = 100 + 4 * 50 = 300 ms.
        Assert.Equal(Duration.FromMilliseconds(300), rtt.Rto);
    }

    [Fact]
    public void Later_samples_smooth_with_alpha_and_beta()
    {
        RttEstimator rtt = Create();
        rtt.Sample(Duration.FromMilliseconds(100));
        rtt.Sample(Duration.FromMilliseconds(200));

        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5 ms; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5 ms.
        Assert.Equal(Duration.FromMicroseconds(62_500), rtt.RttVar);
        Assert.Equal(Duration.FromMicroseconds(112_500), rtt.Srtt);
        Assert.Equal(Duration.FromMicroseconds(112_500 + (4 * 62_500)), rtt.Rto);
    }

    [Fact]
    public void On_a_fast_path_the_rto_is_srtt_plus_the_minimum_as_linux()
    {
        RttEstimator rtt = Create();
        rtt.Sample(Duration.FromMicroseconds(300));
        Assert.Equal(Duration.FromMicroseconds(200_300), rtt.Rto);
    }

    [Fact]
    public void A_zero_rtt_gives_exactly_the_minimum()
    {
        RttEstimator rtt = Create();
        rtt.Sample(Duration.Zero);
        Assert.Equal(Duration.FromMilliseconds(200), rtt.Rto);
    }

    [Fact]
    public void Backoff_doubles_up_to_the_maximum_and_a_sample_resets_it()
    {
        RttEstimator rtt = Create();
        for (int i = 0; i < 10; i++)
        {
            rtt.Backoff();
        }

        Assert.Equal(Duration.FromSeconds(120), rtt.Rto);
        Assert.Equal(10, rtt.Backoffs);
        rtt.Sample(Duration.FromMilliseconds(100));
        Assert.Equal(0, rtt.Backoffs);
        Assert.Equal(Duration.FromMilliseconds(300), rtt.Rto);
    }
}
