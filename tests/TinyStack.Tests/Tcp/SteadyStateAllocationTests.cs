using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp;

/// <summary>The data path (send, receive, ACK processing, timers) allocates nothing per segment once warmed up.</summary>
public class SteadyStateAllocationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bulk_transfer_allocates_zero_bytes_per_segment(bool options)
    {
        var settings = options ? new TcpSettings() : new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false };
        var network = new SimulatedNetwork(settings, seed: 11);
        TcpListener listener = network.B.Layer.Listen(9000);
        TcpConnection client = network.A.Layer.Connect(network.B.Address, 9000, network.Now);
        TcpConnection? server = null;
        Assert.True(network.Run(() => (server ??= listener.Accept()) is not null && client.State == TcpState.Established, network.Now + Duration.FromSeconds(5)));

        byte[] source = new byte[64 * 1024];
        new Random(1).NextBytes(source);
        byte[] sink = new byte[64 * 1024];
        var progress = new Progress();
        Func<bool> done = () => progress.Received >= progress.Target;
        Action step = () =>
        {
            client.Send(source);
            int n;
            while ((n = server!.Receive(sink)) > 0)
            {
                progress.Received += n;
            }
        };

        // Warm up: buffers grow to their working size, pools and tables fill.
        progress.Target = 8L * 1024 * 1024;
        Assert.True(network.Run(done, network.Now + Duration.FromSeconds(60), step));
        long segmentsBefore = network.A.SegmentsSent + network.B.SegmentsSent;

        bool finished = true;
        long allocated = ThreadAllocations.Fewest(() =>
        {
            progress.Target += 8L * 1024 * 1024;
            finished &= network.Run(done, network.Now + Duration.FromSeconds(60), step);
        });

        Assert.True(finished);
        long segments = network.A.SegmentsSent + network.B.SegmentsSent - segmentsBefore;
        Assert.True(segments > 5000, $"only {segments} segments were exchanged");
        Assert.Equal(0, allocated);
    }

    private sealed class Progress
    {
        public long Received;
        public long Target;
    }
}
