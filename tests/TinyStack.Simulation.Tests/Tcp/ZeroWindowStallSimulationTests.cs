using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;
using Xunit.Abstractions;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// A receiving application that stops reading: the window closes, the sender probes it with the
/// persist timer (RFC 9293 §3.8.6.1), and when the application reads again the transfer resumes
/// and completes byte-exact, whether or not the window update that reopens the window arrives.
/// Only the persist timer's probe can recover from a lost window update, since an update is
/// never retransmitted ("This retransmission is essential to guarantee that when either TCP
/// peer has a zero window the reopening of the window will be reliably reported").
/// </summary>
public sealed class ZeroWindowStallSimulationTests(ITestOutputHelper output)
{
    private const int Size = 2 * 1024 * 1024;
    private static readonly Duration s_linkDelay = Duration.FromMilliseconds(1);
    private static readonly Duration s_stall = Duration.FromSeconds(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_stalled_receiver_is_probed_and_the_transfer_resumes_when_it_reads(bool loseWindowUpdate)
    {
        (MemoryLink aEnd, MemoryLink bEnd) = MemoryLink.CreatePair(capacity: 4096);
        TxFilterLink receiverLink = new(aEnd);
        TxFilterLink senderLink = new(new FaultInjectingLink(bEnd, new FaultOptions { Delay = s_linkDelay, Seed = 5 }));
        using VirtualNetwork network = new(recordFrames: 4096);
        network.CaptureOnFailure($"zero-window-stall-{(loseWindowUpdate ? "lost-update" : "update")}", () =>
        {
            StackOptions receiverOptions = Options("10.0.0.2/24", "02:54:53:00:00:02", 21);
            StackNode receiverNode = network.AddStack(receiverOptions, receiverLink);
            StackNode senderNode = network.AddStack(Options("10.0.0.3/24", "02:54:53:00:00:03", 22), senderLink);
            int receiveLimit = receiverOptions.Tcp.ReceiveBufferSize;

            TcpListener listener = receiverNode.Stack.Tcp.Listen(5001);
            TcpConnection sender = senderNode.Stack.Tcp.Connect(Ipv4Address.Parse("10.0.0.2"), 5001, network.Now);
            Assert.True(network.RunUntil(() => listener.PendingCount > 0, Duration.FromSeconds(10)), "handshake");
            TcpConnection receiver = listener.Accept()!;
            network.AfterEachStep = () =>
            {
                TcpInvariants.Check(sender, receiveLimit);
                TcpInvariants.Check(receiver, receiveLimit);
                TcpInvariants.CheckDirection(sender, receiver);
            };

            // The application stops reading: the receive buffer fills and the window closes.
            HashingPump pump = new(sender, receiver, Size, seed: 3) { ReceiverPaused = true };
            bool stalled = network.RunUntil(
                () => { pump.Step(); return sender.SndWnd == 0 && sender.SndNxt == sender.SndUna; },
                Duration.FromSeconds(10));
            Assert.True(stalled, $"the window never closed: {sender.SndWnd} bytes, {sender.SndNxt - sender.SndUna} in flight");
            Instant closedAt = network.Now;
            int buffered = receiver.ReadableBytes;
            Assert.InRange(buffered, receiveLimit, receiveLimit + (1 << receiver.WindowShifts.Receive));
            Assert.Equal(0, pump.Received);

            // Stalled for five seconds: the sender probes with growing intervals, the receiver
            // answers each probe with its zero window, nothing else moves and nobody gives up.
            long probesBefore = senderNode.Stack.Tcp.Stats.ZeroWindowProbes;
            network.RunUntil(() => { pump.Step(); return false; }, s_stall);
            long probes = senderNode.Stack.Tcp.Stats.ZeroWindowProbes - probesBefore;
            List<Instant> probeTimes = [.. senderLink.Sent.Where(s => s.Note.Reason == TxReason.TcpZeroWindowProbe).Select(s => s.At)];
            Assert.Equal(probes, probeTimes.Count);
            Assert.InRange(probes, 3, 10);
            Assert.True(probeTimes[0] - closedAt >= sender.Rto / 2, $"first probe {probeTimes[0] - closedAt} after the window closed, RTO {sender.Rto}");
            for (int i = 2; i < probeTimes.Count; i++)
            {
                Assert.True(probeTimes[i] - probeTimes[i - 1] >= probeTimes[i - 1] - probeTimes[i - 2], $"probe intervals shrink: {string.Join(", ", probeTimes)}");
            }

            Assert.Equal(buffered, receiver.ReadableBytes);
            Assert.Equal(TcpState.Established, sender.State);
            Assert.Equal(TcpState.Established, receiver.State);
            Assert.Equal(0u, sender.SndWnd);

            // The application reads again. Optionally the window update that says so is lost.
            if (loseWindowUpdate)
            {
                receiverLink.Drop = note => note.Reason == TxReason.TcpWindowUpdate && receiverLink.Dropped == 0;
            }

            Instant readAt = network.Now;
            pump.ReceiverPaused = false;
            bool done = network.RunUntil(() => { pump.Step(); return pump.Done; }, Duration.FromSeconds(60));
            Assert.True(done, $"transfer stalled at {network.Now}: {pump.Received}/{Size} received; sender {sender}, window {sender.SndWnd}");
            Assert.Equal(pump.SentHash, pump.ReceivedHash);

            Instant resumedAt = senderLink.First(TxReason.TcpNewData, readAt) ?? Instant.MaxValue;
            Instant? probeAfterRead = senderLink.First(TxReason.TcpZeroWindowProbe, readAt);
            output.WriteLine($"window closed at {closedAt} with {buffered} bytes unread; probes at {string.Join(", ", probeTimes)}; read at {readAt}, data resumed {resumedAt - readAt} later, done at {network.Now}");
            Assert.Equal(1, receiverLink.Count(TxReason.TcpWindowUpdate, readAt, resumedAt));
            if (loseWindowUpdate)
            {
                // Only the next probe's answer can tell the sender: data resumes right after it.
                Assert.Equal(1, receiverLink.Dropped);
                Assert.NotNull(probeAfterRead);
                Assert.InRange((resumedAt - probeAfterRead.Value).Microseconds, 0, (s_linkDelay * 3).Microseconds);
            }
            else
            {
                // The window update reaches the sender one link delay later; no probe is needed.
                Assert.Equal(0, receiverLink.Dropped);
                Assert.InRange((resumedAt - readAt).Microseconds, s_linkDelay.Microseconds, (s_linkDelay * 3).Microseconds);
                Assert.True(probeAfterRead is null || probeAfterRead > resumedAt, "a probe went out although the window update arrived");
            }
        });
    }

    private static StackOptions Options(string cidr, string mac, ulong seed) => new()
    {
        Address = Ipv4Cidr.Parse(cidr),
        Mac = MacAddress.Parse(mac),
        Seed = seed,
    };
}
