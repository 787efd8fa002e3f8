using TinyStack.Time;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

public class AllocationTests
{
    [Fact]
    public void Echo_round_trip_in_steady_state_allocates_nothing()
    {
        var stack = new NetworkStack(StackHarness.Defaults());
        var sink = new CountingSink();
        Instant now = Instant.FromMilliseconds(1000);
        stack.Receive(ArpRequestFromPeer(OurIp), now, sink);
        byte[] request = EchoRequestFrame(0x1234, 1, Pattern(56));

        // Warm up: JIT, static constructors, tiered compilation's first calls.
        for (int i = 0; i < 1000; i++)
        {
            stack.Receive(request, now, sink);
            stack.Poll(now, sink);
        }

        int before = sink.Count;
        int windows = 0;
        long used = ThreadAllocations.Fewest(() =>
        {
            windows++;
            for (int i = 0; i < 10_000; i++)
            {
                now += Duration.FromMicroseconds(100);
                stack.Receive(request, now, sink);
                stack.Poll(now, sink);
                _ = stack.NextDeadline;
            }
        });

        Assert.Equal(windows * 10_000, sink.Count - before);
        Assert.Equal(0, used);
        Assert.Equal(OurIp, ParseIpv4(sink.Last.ToArray()).Header.Source);
    }

    [Fact]
    public void Fragmented_echo_round_trip_in_steady_state_allocates_nothing()
    {
        var stack = new NetworkStack(StackHarness.Defaults());
        var sink = new CountingSink();
        Instant now = Instant.FromMilliseconds(1000);
        stack.Receive(ArpRequestFromPeer(OurIp), now, sink);
        byte[] echo = EchoRequest(0x1234, 1, Pattern(4000));
        List<byte[]> fragments = Fragments(Header(TinyStack.Wire.IpProtocol.Icmp, echo.Length), echo);

        for (int i = 0; i < 200; i++)
        {
            foreach (byte[] fragment in fragments)
            {
                stack.Receive(fragment, now, sink);
            }
        }

        int windows = 0;
        long allocated = ThreadAllocations.Fewest(() =>
        {
            windows++;
            for (int i = 0; i < 1000; i++)
            {
                now += Duration.FromMicroseconds(100);
                foreach (byte[] fragment in fragments)
                {
                    stack.Receive(fragment, now, sink);
                }
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(200 + (windows * 1000), stack.Stats[StatCounter.DatagramsReassembled]);
    }
}
