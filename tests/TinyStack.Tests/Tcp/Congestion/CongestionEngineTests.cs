using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>
/// The connection's calls into its congestion control, seen through a real exchange with the
/// harness playing the peer: the choice of algorithm, the timeout's loss window, restart after
/// idle, and the trace rows each event leaves.
/// </summary>
public class CongestionEngineTests
{
    private static uint Seg(TcpHarness h, int index) => h.Iss + 1 + (uint)(index * Mss);

    private static TcpHarness Traced(Func<int, ICongestionControl> algorithm, ITcpTraceSink? sink = null) =>
        new(TcpHarness.DefaultSettings() with { CongestionControl = algorithm, TraceCapacity = 1024, TraceSink = sink });

    private static List<TcpTraceSample> Rows(TcpConnection c) =>
        Enumerable.Range(0, c.Trace!.Count).Select(i => c.Trace[i]).ToList();

    /// <summary>Sends <paramref name="segments"/> full segments and drops them from the harness queue.</summary>
    private static void SendSegments(TcpHarness h, TcpConnection c, int segments)
    {
        c.Send(Bytes(segments * Mss));
        h.Poll();
        h.Clear();
    }

    [Fact]
    public void Cubic_is_the_default_and_reduces_to_0_7_of_the_flight_on_loss()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal("cubic", c.CongestionControl.Name);
        // Ten go out in the initial window, two more on limited transmit (RFC 3042).
        SendSegments(h, c, 14);
        for (int i = 0; i < 3; i++)
        {
            h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        }

        // Twelve segments are outstanding, but the two limited transmits are not part of
        // FlightSize (RFC 3042 §2, RFC 5681 §3.2 step 2): ssthresh = cwnd = 0.7 * 10 segments.
        Assert.True(c.InFastRecovery);
        Assert.Equal(10u * Mss * 7 / 10, c.CongestionControl.Ssthresh);
        Assert.Equal(c.CongestionControl.Ssthresh, c.Cwnd);
    }

    [Theory]
    [InlineData("cubic")]
    [InlineData("newreno")]
    public void A_retransmission_timeout_leaves_a_loss_window_of_one_segment(string name)
    {
        TcpHarness h = Traced(CongestionControlAlgorithms.Get(name));
        TcpConnection c = h.EstablishPassive();
        SendSegments(h, c, 10);
        h.Advance(c.Rto);
        Emitted retransmission = h.Next();
        Assert.Equal(TxReason.TcpRetransmitRto, retransmission.Note.Reason);
        Assert.Equal((uint)Mss, c.Cwnd);
        Assert.Equal((uint)Mss, retransmission.Note.Cwnd);

        TcpTraceSample rto = Assert.Single(Rows(c), r => r.Event == TcpTraceEvent.RetransmitTimeout);
        Assert.Equal((uint)Mss, rto.Cwnd);
        Assert.Equal(CongestionPhase.LossRecovery, rto.Phase);
        Assert.Equal(h.Now, rto.Time);
        Assert.Equal(1, c.Retransmits);

        // The ACK of everything ends loss recovery, with a row for it.
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 10));
        Assert.Contains(Rows(c), r => r.Event == TcpTraceEvent.RecoveryExited && r.Time == h.Now);
    }

    [Theory]
    [InlineData("cubic")]
    [InlineData("newreno")]
    public void Sending_after_an_idle_period_longer_than_the_rto_restarts_from_the_initial_window(string name)
    {
        TcpHarness h = Traced(CongestionControlAlgorithms.Get(name));
        TcpConnection c = h.EstablishPassive();
        SendSegments(h, c, 10);
        h.Advance(Duration.FromMilliseconds(30));
        for (int i = 1; i <= 10; i++)
        {
            h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, i));
        }

        h.Clear();
        uint grown = c.Cwnd;
        Assert.True(grown > NewReno.InitialWindow(Mss));

        // Less than an RTO of silence keeps the window...
        h.Advance(Duration.FromMilliseconds(100));
        Assert.True(Duration.FromMilliseconds(130) < c.Rto);
        SendSegments(h, c, 1);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 11));
        Assert.Equal(grown, c.Cwnd);
        Assert.DoesNotContain(Rows(c), r => r.Event == TcpTraceEvent.IdleRestart);

        // ...more than an RTO brings it back to IW (RFC 5681 §4.1).
        h.Advance(Duration.FromSeconds(5));
        SendSegments(h, c, 1);
        Assert.Equal(NewReno.InitialWindow(Mss), c.Cwnd);
        TcpTraceSample restart = Assert.Single(Rows(c), r => r.Event == TcpTraceEvent.IdleRestart);
        Assert.Equal(h.Now, restart.Time);
        Assert.Equal(NewReno.InitialWindow(Mss), restart.Cwnd);
    }

    [Fact]
    public void Acknowledging_the_peers_data_is_not_sending_data_for_the_idle_restart()
    {
        // RFC 5681 §4.1 counts the time since TCP "has not sent data": our pure ACKs do not reset it.
        TcpHarness h = Traced(CongestionControlAlgorithms.NewReno);
        TcpConnection c = h.EstablishPassive();
        SendSegments(h, c, 10);
        h.Advance(Duration.FromMilliseconds(30));
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 10));
        uint grown = c.Cwnd;
        Assert.True(grown > NewReno.InitialWindow(Mss));

        // For a second the peer sends and we only acknowledge, every 100 ms (well within an RTO).
        uint peerSeq = RemoteIss + 1;
        for (int i = 0; i < 10; i++)
        {
            h.Advance(Duration.FromMilliseconds(100));
            Assert.True(Duration.FromMilliseconds(100) < c.Rto);
            h.Send(TcpFlags.Ack | TcpFlags.Psh, peerSeq, Seg(h, 10), payload: Bytes(100));
            peerSeq += 100;
            h.Advance(Duration.FromMilliseconds(50));
            Assert.Equal(TcpFlags.Ack, h.Next().Flags);
            c.Receive(new byte[100]);
        }

        SendSegments(h, c, 1);
        Assert.Equal(NewReno.InitialWindow(Mss), c.Cwnd);
        Assert.Single(Rows(c), r => r.Event == TcpTraceEvent.IdleRestart);
    }

    [Fact]
    public void Fast_recovery_leaves_loss_and_recovery_exit_rows_and_every_ack_a_sample()
    {
        TcpHarness h = Traced(CongestionControlAlgorithms.NewReno);
        TcpConnection c = h.EstablishPassive();
        // Ten go out in the initial window, two more on limited transmit (RFC 3042).
        SendSegments(h, c, 14);
        for (int i = 0; i < 3; i++)
        {
            h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        }

        h.Clear();
        TcpTraceSample loss = Assert.Single(Rows(c), r => r.Event == TcpTraceEvent.LossDetected);
        Assert.Equal(CongestionPhase.FastRecovery, loss.Phase);
        // The loss row shows the two limited transmit segments that FlightSize leaves out
        // (RFC 3042 §2): ssthresh = cwnd = half of the ten segments before them.
        Assert.Equal(12u * Mss, (uint)(loss.SndNxt - loss.SndUna));
        Assert.Equal(2u * Mss, loss.LimitedTransmit);
        Assert.Equal(10u * Mss, loss.FlightSize);
        Assert.Equal(5u * Mss, loss.Cwnd);
        Assert.Equal(5u * Mss, loss.Ssthresh);

        // A partial ACK (RFC 6582) keeps recovery; the full ACK ends it.
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 5));
        Assert.True(c.InFastRecovery);
        Assert.Equal(5u * Mss, c.Cwnd);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 12));
        Assert.False(c.InFastRecovery);

        List<TcpTraceSample> rows = Rows(c);
        Assert.Equal(TcpTraceEvent.StateChanged, rows[0].Event);
        Assert.Equal(TcpState.Established, rows[0].State);
        // One per segment from the handshake's final ACK on: 1 + 3 duplicates + partial + full.
        Assert.Equal(6, rows.Count(r => r.Event == TcpTraceEvent.Ack));
        TcpTraceSample exit = Assert.Single(rows, r => r.Event == TcpTraceEvent.RecoveryExited);
        Assert.Equal(5u * Mss, exit.Cwnd);
        Assert.Equal(0u, exit.LimitedTransmit);
        Assert.Equal(CongestionPhase.CongestionAvoidance, exit.Phase);
        Assert.Equal(Seg(h, 12), exit.SndUna.Value);
        Assert.Equal(2, rows[^1].Retransmits);
    }

    [Fact]
    public void A_sink_hears_when_each_trace_starts_and_completes()
    {
        var sink = new RecordingSink();
        TcpHarness h = Traced(CongestionControlAlgorithms.Cubic, sink);
        TcpConnection c = h.EstablishPassive();
        Assert.Equal([c], sink.Started);
        Assert.Empty(sink.Completed);
        Assert.Equal(1024, c.Trace!.Capacity);
        Assert.Contains("cubic", c.Trace.Label);

        c.Abort();
        Assert.Equal([c], sink.Completed);
        Assert.Equal(TcpState.Closed, Rows(c)[^1].State);
    }

    [Fact]
    public void Tracing_is_off_unless_asked_for()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Null(c.Trace);

        // An application may attach a ring to one connection.
        c.Trace = new TcpTrace(16);
        SendSegments(h, c, 2);
        h.Send(TcpFlags.Ack, RemoteIss + 1, Seg(h, 2));
        Assert.Equal(TcpTraceEvent.Ack, Assert.Single(Rows(c)).Event);
    }

    [Fact]
    public void The_algorithm_can_be_chosen_per_connection_until_the_handshake_completes()
    {
        var h = new TcpHarness();
        TcpConnection c = h.Connect(out _);
        c.CongestionControlFactory = CongestionControlAlgorithms.NewReno;
        h.Next();
        h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, h.Iss + 1, options: new TcpOptions { Mss = 1460 });
        Assert.Equal(TcpState.Established, c.State);
        Assert.Equal("newreno", c.CongestionControl.Name);

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => c.CongestionControlFactory = CongestionControlAlgorithms.Cubic);
        Assert.Contains("before the handshake completes", e.Message);
    }

    [Fact]
    public void A_listener_chooses_the_algorithm_of_its_connections()
    {
        var h = new TcpHarness();
        TcpListener listener = h.Layer.Listen(LocalPort, backlog: 8);
        listener.CongestionControl = static mss => new NewReno(mss, initialWindowSegments: 4);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460 });
        h.Next();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        TcpConnection c = listener.Accept()!;
        Assert.Equal("newreno", c.CongestionControl.Name);
        Assert.Equal(4u * Mss, c.Cwnd);
    }

    private sealed class RecordingSink : ITcpTraceSink
    {
        public List<TcpConnection> Started { get; } = [];

        public List<TcpConnection> Completed { get; } = [];

        public void OnTraceStarted(TcpConnection connection, TcpTrace trace) => Started.Add(connection);

        public void OnTraceCompleted(TcpConnection connection, TcpTrace trace) => Completed.Add(connection);
    }
}
