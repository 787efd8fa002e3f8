using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Interface.TestFrames;

namespace TinyStack.Tests.Interface;

public class NextDeadlineTests
{
    [Fact]
    public void Idle_stack_has_no_deadline()
    {
        var harness = new StackHarness();

        Assert.Equal(Instant.MaxValue, harness.Stack.NextDeadline);
    }

    [Fact]
    public void Deadline_is_the_earliest_of_ARP_reassembly_and_protocol_timers()
    {
        var harness = new StackHarness();
        var protocol = new RecordingProtocol();
        harness.Stack.Interface.Register(IpProtocol.Udp, protocol);
        Instant start = harness.Now;

        // Reassembly: 30 s from the first fragment.
        harness.Receive(Fragment(Header(IpProtocol.Udp, 0), 0, true, Pattern(8)));
        Assert.Equal(start + Duration.FromSeconds(30), harness.Stack.NextDeadline);

        // ARP retry: 1 s from the request.
        harness.Advance(Duration.FromSeconds(5));
        harness.SendFromStack(new Ipv4Address(10, 0, 0, 9), IpProtocol.Udp, Pattern(8));
        Assert.Equal(start + Duration.FromSeconds(6), harness.Stack.NextDeadline);

        // A protocol timer that is earlier still.
        protocol.NextDeadline = start + Duration.FromMilliseconds(5200);
        Assert.Equal(start + Duration.FromMilliseconds(5200), harness.Stack.NextDeadline);

        harness.AdvanceTo(start + Duration.FromMilliseconds(5200));
        Assert.Equal([start + Duration.FromMilliseconds(5200)], protocol.Polls);
        Assert.Equal(start + Duration.FromSeconds(6), harness.Stack.NextDeadline);
    }

    [Fact]
    public void Polling_at_each_deadline_runs_every_timer_exactly_on_time()
    {
        var harness = new StackHarness();
        harness.Receive(Fragment(Header(IpProtocol.Udp, 0), 0, true, Pattern(8)));
        harness.SendFromStack(new Ipv4Address(10, 0, 0, 9), IpProtocol.Udp, Pattern(8));
        harness.Take();
        var times = new List<Instant>();

        // Drive the stack only by its own deadlines, as the host's event loop does.
        for (int i = 0; i < 20 && harness.Stack.NextDeadline != Instant.MaxValue; i++)
        {
            harness.AdvanceTo(harness.Stack.NextDeadline);
            times.Add(harness.Now);
        }

        // ARP retries for 10.0.0.9 at +1 s and +2 s and failure at +3 s; reassembly timeout at
        // +30 s, whose time-exceeded error to the (never resolved) peer then needs ARP too:
        // retries at +31 s, +32 s, failure at +33 s.
        Instant start = Instant.FromMilliseconds(1000);
        Assert.Equal([1, 2, 3, 30, 31, 32, 33], times.Select(t => (t - start).Microseconds / 1_000_000));
        Assert.Equal(6, harness.Stats[StatCounter.ArpRequestsSent]);
        Assert.Equal(2, harness.Stats[DropReason.ArpResolutionFailed]);
        Assert.Equal(1, harness.Stats[DropReason.Ipv4ReassemblyTimeout]);
    }

    [Fact]
    public void Polling_before_a_deadline_does_nothing()
    {
        var harness = new StackHarness();
        harness.SendFromStack(new Ipv4Address(10, 0, 0, 9), IpProtocol.Udp, Pattern(8));
        harness.Take();
        Instant deadline = harness.Stack.NextDeadline;

        for (int i = 0; i < 5; i++)
        {
            harness.Advance(Duration.FromMilliseconds(100));
        }

        Assert.Empty(harness.Take());
        Assert.Equal(deadline, harness.Stack.NextDeadline);
    }
}
