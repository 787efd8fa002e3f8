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
        await Task.Yield();
        await Task.Delay(100);
        long callerBefore = pingPong.CallerAllocatedBytes;
        long stackA = pingPong.Pair.A.Counters.AllocatedBytes;
        long stackB = pingPong.Pair.B.Counters.AllocatedBytes;
        long process = GC.GetTotalAllocatedBytes(precise: true);

        const int RoundTrips = 20_000;
        await pingPong.RunAsync(RoundTrips);

        long processAllocated = GC.GetTotalAllocatedBytes(precise: true) - process;

        // With StackThread continuations this code now runs on stack A, where Task.Delay would
        // allocate and count: leave it first.
        await Task.Yield();
        await Task.Delay(100); // each stack thread refreshes its counter once per turn of its loop
        long caller = pingPong.CallerAllocatedBytes - callerBefore;
        long onA = pingPong.Pair.A.Counters.AllocatedBytes - stackA;
        long onB = pingPong.Pair.B.Counters.AllocatedBytes - stackB;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{continuations}: {RoundTrips} round trips; caller calls {caller} B, stack A {onA} B, stack B {onB} B, whole process {processAllocated} B"));

        Assert.Equal(0, caller);
        Assert.Equal(0, onA);
        Assert.Equal(0, onB);

        // The whole process (thread pool, test runner) stays far below one byte per round trip.
        Assert.True(processAllocated < RoundTrips, $"the process allocated {processAllocated} bytes in {RoundTrips} round trips");
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
}
