using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>
/// The hot path stays allocation-free with the optional machinery on: a trace ring recording every
/// segment (wrapping many times), RACK-TLP's send log, and either algorithm.
/// </summary>
public class TracedAllocationTests
{
    [Theory]
    [InlineData("cubic", false)]
    [InlineData("newreno", false)]
    [InlineData("cubic", true)]
    public void A_traced_bulk_transfer_allocates_nothing_per_segment(string algorithm, bool rackTlp)
    {
        var settings = new TcpSettings { CongestionControl = CongestionControlAlgorithms.Get(algorithm), TraceCapacity = 1024, RackTlp = rackTlp };
        var network = new SimulatedNetwork(settings, seed: 13) { DropRate = 0.001 };
        TcpListener listener = network.B.Layer.Listen(9000);
        TcpConnection client = network.A.Layer.Connect(network.B.Address, 9000, network.Now);
        TcpConnection? server = null;
        Assert.True(network.Run(() => (server ??= listener.Accept()) is not null && client.State == TcpState.Established, network.Now + Duration.FromSeconds(5)));

        byte[] source = new byte[64 * 1024];
        byte[] sink = new byte[64 * 1024];
        long received = 0;
        long target = 8L * 1024 * 1024;
        Func<bool> done = () => received >= target;
        Action step = () =>
        {
            client.Send(source);
            int n;
            while ((n = server!.Receive(sink)) > 0)
            {
                received += n;
            }
        };

        // Warm up: buffers, the RACK log and the pools reach their working size.
        Assert.True(network.Run(done, network.Now + Duration.FromSeconds(60), step));
        long rowsBefore = client.Trace!.Recorded;

        bool finished = true;
        long allocated = ThreadAllocations.Fewest(() =>
        {
            target += 8L * 1024 * 1024;
            finished &= network.Run(done, network.Now + Duration.FromSeconds(60), step);
        });

        Assert.True(finished);
        Assert.True(client.Trace.Recorded - rowsBefore > 3 * client.Trace.Capacity, "the ring wrapped several times");
        Assert.True(client.Retransmits > 0, "losses exercised recovery");
        Assert.Equal(0, allocated);
    }
}
