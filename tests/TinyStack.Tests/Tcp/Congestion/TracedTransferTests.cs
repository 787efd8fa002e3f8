using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>
/// A lossy transfer between two stacks with tracing on: the trace shows every congestion event
/// with the decrease each algorithm makes, and the window rules hold between events.
/// </summary>
public class TracedTransferTests
{
    private const ushort Port = 8080;

    private static List<TcpTraceSample> TransferAndTrace(Func<int, ICongestionControl> algorithm, ulong seed, out TcpConnection sender)
    {
        var settings = new TcpSettings { CongestionControl = algorithm, TraceCapacity = 100_000, SendBufferSize = 1 << 20, ReceiveBufferSize = 1 << 20 };
        var network = new SimulatedNetwork(settings, seed) { DropRate = 0.005, Latency = Duration.FromMilliseconds(10) };
        TcpListener listener = network.B.Layer.Listen(Port);
        TcpConnection a = network.A.Layer.Connect(network.B.Address, Port, network.Now);
        TcpConnection? b = null;
        const int Size = 4 * 1024 * 1024;
        int sent = 0;
        int received = 0;
        byte[] data = new byte[32 * 1024];
        byte[] scratch = new byte[32 * 1024];
        bool done = network.Run(() => received == Size, network.Now + Duration.FromSeconds(300), () =>
        {
            b ??= listener.Accept();
            if (a.State == TcpState.Established && sent < Size)
            {
                sent += a.Send(data.AsSpan(0, Math.Min(data.Length, Size - sent)));
            }

            int n;
            while (b is not null && (n = b.Receive(scratch)) > 0)
            {
                received += n;
            }
        });
        Assert.True(done, "the transfer did not finish");
        sender = a;
        return Enumerable.Range(0, a.Trace!.Count).Select(i => a.Trace[i]).ToList();
    }

    [Theory]
    [InlineData("cubic", 7, 10, 31UL)]
    [InlineData("newreno", 1, 2, 32UL)]
    public void Every_loss_event_sets_ssthresh_to_beta_times_the_flight(string name, int betaNumerator, int betaDenominator, ulong seed)
    {
        List<TcpTraceSample> rows = TransferAndTrace(CongestionControlAlgorithms.Get(name), seed, out TcpConnection sender);
        Assert.Equal(0, sender.Trace!.Overwritten);
        List<TcpTraceSample> losses = rows.Where(r => r.Event == TcpTraceEvent.LossDetected).ToList();
        Assert.NotEmpty(losses);
        int mss = sender.EffectiveMss;
        foreach (TcpTraceSample loss in losses)
        {
            // RFC 5681 §3.2 FlightSize: SND.NXT - SND.UNA without what limited transmit sent (RFC 3042 §2).
            uint flight = loss.FlightSize;
            uint expected = Math.Max(flight * (uint)betaNumerator / (uint)betaDenominator, 2u * (uint)mss);
            Assert.Equal(expected, loss.Ssthresh);
            Assert.Equal(expected, loss.Cwnd);
            Assert.Equal(CongestionPhase.FastRecovery, loss.Phase);
        }

        // Most of these losses follow limited transmit, so the check above also proves those
        // segments stay out of FlightSize (with them in, ssthresh would come out larger).
        Assert.Contains(losses, l => l.LimitedTransmit > 0);

        // Each loss is followed by its recovery exit, and time never runs backwards.
        Assert.True(rows.Count(r => r.Event == TcpTraceEvent.RecoveryExited) >= losses.Count - 1);
        Assert.All(rows.Zip(rows.Skip(1)), pair => Assert.True(pair.First.Time <= pair.Second.Time));

        // Outside recovery, cwnd only falls at an event.
        for (int i = 1; i < rows.Count; i++)
        {
            if (rows[i].Event == TcpTraceEvent.Ack && rows[i - 1].Phase is CongestionPhase.SlowStart or CongestionPhase.CongestionAvoidance
                && rows[i].Phase == rows[i - 1].Phase)
            {
                Assert.True(rows[i].Cwnd >= rows[i - 1].Cwnd, $"cwnd fell from {rows[i - 1].Cwnd} to {rows[i].Cwnd} at row {i}");
            }
        }

        Assert.Equal(sender.Retransmits, rows[^1].Retransmits);
        Assert.True(sender.Retransmits >= losses.Count);
    }
}
