using System.Globalization;
using TinyStack.Host.Sockets;
using Xunit.Abstractions;

namespace TinyStack.Tests.Sockets;

/// <summary>
/// What the socket API costs in steady state: bytes allocated per call (none), and round trips
/// per second for each place where continuations may run (the figures in the README's
/// "Sockets: where your code runs").
/// </summary>
[Collection(MeasurementCollection.Name)]
public sealed class SocketMeasurementTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(SocketContinuations.ThreadPool)]
    [InlineData(SocketContinuations.StackThread)]
    public Task Steady_state_reads_and_writes_allocate_nothing_on_the_caller_or_the_stack_threads(SocketContinuations continuations) => Task.Run(async () =>
    {
        await using PingPong pingPong = await PingPong.StartAsync(continuations, 64);

        // Warm up: JIT tiers settle, buffers grow, the work queues reach their working size.
        await pingPong.RunAsync(20_000);

        // A hot-path allocation shows in every window of 20,000 round trips. The runtime itself,
        // rarely, charges a thread 32 B while it returns from the eventfd write(2) (seen once in
        // ~400,000 round trips, outside our code: the bytes appear across the P/Invoke alone), so
        // the claim is "some window of 20,000 round trips allocates nothing", tried up to 3 times.
        const int RoundTrips = 20_000;
        Window best = default;
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            Window window = await MeasureAsync(pingPong, RoundTrips);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{continuations} window {attempt}: {RoundTrips} round trips; caller calls {window.Caller} B, stack A {window.StackA} B, stack B {window.StackB} B, whole process {window.Process} B"));
            best = window;
            if (window.IsClean(RoundTrips))
            {
                break;
            }
        }

        Assert.Equal(0, best.Caller);
        Assert.Equal(0, best.StackA);
        Assert.Equal(0, best.StackB);

        // The whole process (thread pool, test runner) stays far below one byte per round trip.
        Assert.True(best.Process < RoundTrips, $"the process allocated {best.Process} bytes in {RoundTrips} round trips");
    });

    [Fact]
    public Task Ping_pong_round_trips_per_second_in_both_continuation_modes() => Task.Run(async () =>
    {
        var rates = new Dictionary<SocketContinuations, long>();
        foreach (SocketContinuations mode in new[] { SocketContinuations.ThreadPool, SocketContinuations.StackThread })
        {
            await using PingPong pingPong = await PingPong.StartAsync(mode, 64);
            await pingPong.RunAsync(5_000);
            rates[mode] = await pingPong.RunForAsync(TimeSpan.FromSeconds(2));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{mode}: {rates[mode]} round trips/s (64-byte messages, 2 hosts over MemoryLink)"));
        }

        // Both work; the figures themselves go to the README, not into assertions.
        Assert.All(rates.Values, rate => Assert.True(rate > 100, $"only {rate} round trips/s"));
    });

    [Theory]
    [InlineData(SocketContinuations.ThreadPool)]
    [InlineData(SocketContinuations.StackThread)]
    public Task A_handler_that_blocks_stalls_other_connections_only_with_StackThread_continuations(SocketContinuations continuations) => Task.Run(async () =>
    {
        using var pair = new HostPair(continuations: continuations);
        using TinyStack.Host.Sockets.TcpListener listener = TinyStack.Host.Sockets.TcpListener.Start(pair.B, 7);

        // Server: connection 1's handler blocks its thread for 500 ms after its first read
        // (synchronous work, a lock, a blocking call...); connection 2 is a plain echo.
        Task<TcpStream> accept1 = listener.AcceptAsync().AsTask();
        TcpStream client1 = await TcpStream.ConnectAsync(pair.A, HostPair.AddressB, 7);
        TcpStream server1 = await accept1;
        Task<TcpStream> accept2 = listener.AcceptAsync().AsTask();
        TcpStream client2 = await TcpStream.ConnectAsync(pair.A, HostPair.AddressB, 7);
        TcpStream server2 = await accept2;
        bool blockedOnStackThread = false;
        _ = Task.Run(async () =>
        {
            byte[] one = new byte[1];
            await server1.ReadExactlyAsync(one);
            blockedOnStackThread = pair.B.IsOnStackThread;
            Thread.Sleep(500);
        });
        _ = Task.Run(async () =>
        {
            byte[] buffer = new byte[64];
            int n;
            while ((n = await server2.ReadAsync(buffer)) > 0)
            {
                await server2.WriteAsync(buffer.AsMemory(0, n));
            }
        });

        // The read must be pending (its continuation registered) before the byte arrives, or it
        // completes at once on the caller's thread, as with any awaitable.
        await Task.Delay(300);
        await client1.WriteAsync(new byte[] { 1 });
        await Task.Delay(50);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await client2.WriteAsync(new byte[] { 2 });
        byte[] reply = new byte[1];
        await client2.ReadExactlyAsync(reply);
        long latency = watch.ElapsedMilliseconds;
        await Task.Yield();
        output.WriteLine($"{continuations}: connection 2's round trip took {latency} ms while connection 1's handler blocked");

        if (continuations == SocketContinuations.StackThread)
        {
            // The blocked handler runs on B's stack thread: nothing else moves until it returns.
            Assert.True(blockedOnStackThread);
            Assert.True(latency >= 350, $"round trip {latency} ms");
        }
        else
        {
            Assert.False(blockedOnStackThread);
            Assert.True(latency < 350, $"round trip {latency} ms");
        }

        foreach (TcpStream stream in new[] { client1, client2, server1, server2 })
        {
            stream.Abort();
        }
    });

    private static async Task<Window> MeasureAsync(PingPong pingPong, int roundTrips)
    {
        await Task.Yield();
        await Task.Delay(100);
        long callerBefore = pingPong.CallerAllocatedBytes;
        long stackA = pingPong.Pair.A.Counters.AllocatedBytes;
        long stackB = pingPong.Pair.B.Counters.AllocatedBytes;
        long process = GC.GetTotalAllocatedBytes(precise: true);

        await pingPong.RunAsync(roundTrips);

        long processAllocated = GC.GetTotalAllocatedBytes(precise: true) - process;

        // With StackThread continuations this code now runs on stack A, where Task.Delay would
        // allocate and count: leave it first.
        await Task.Yield();
        await Task.Delay(100); // each stack thread refreshes its counter once per turn of its loop
        return new Window(
            pingPong.CallerAllocatedBytes - callerBefore,
            pingPong.Pair.A.Counters.AllocatedBytes - stackA,
            pingPong.Pair.B.Counters.AllocatedBytes - stackB,
            processAllocated);
    }

    /// <summary>Bytes allocated during one measured window of round trips.</summary>
    private readonly record struct Window(long Caller, long StackA, long StackB, long Process)
    {
        public bool IsClean(int roundTrips) => Caller == 0 && StackA == 0 && StackB == 0 && Process < roundTrips;
    }
}
