using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Zero windows: the persist timer and its probes (RFC 9293 §3.8.6.1), and our own zero window.</summary>
public class ZeroWindowTests
{
    [Fact]
    public void A_zero_window_is_probed_with_exponential_backoff()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 0);
        c.Send(Bytes(100));
        h.ExpectNothing();
        Instant start = h.Now;

        // First probe after one RTO (200 ms here), then 400 ms, then 800 ms.
        h.ExpectNothing(start + Duration.FromMilliseconds(199));
        h.AdvanceTo(start + Duration.FromMilliseconds(200));
        Emitted probe = h.Expect(TcpFlags.Ack, h.Iss, RemoteIss + 1, reason: TxReason.TcpZeroWindowProbe);
        Assert.Equal(1, probe.Note.Count);
        h.ExpectNothing(start + Duration.FromMilliseconds(599));
        h.AdvanceTo(start + Duration.FromMilliseconds(600));
        h.Expect(TcpFlags.Ack, h.Iss, RemoteIss + 1, reason: TxReason.TcpZeroWindowProbe);
        h.ExpectNothing(start + Duration.FromMilliseconds(1399));
        h.AdvanceTo(start + Duration.FromMilliseconds(1400));
        h.Expect(TcpFlags.Ack, h.Iss, RemoteIss + 1, reason: TxReason.TcpZeroWindowProbe);
        Assert.Equal(3, h.Stats.ZeroWindowProbes);

        // The answer opens the window: the data goes out and probing stops.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 5000);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1, RemoteIss + 1, payload: Bytes(100));
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 101, window: 5000);
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
    }

    [Fact]
    public void Answered_probes_still_back_off_and_keep_the_connection_while_unanswered_ones_end_it()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, MaxZeroWindowProbes = 2 });
        TcpConnection c = h.EstablishPassive(out RecordingObserver observer);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 0);
        c.Send(Bytes(10));

        // Each probe is answered, but still with a zero window: the interval keeps doubling
        // (RFC 1122 §4.2.2.17) from one RTO (200 ms), and the connection stays up however many
        // probes it takes, since none goes unanswered.
        Instant at = h.Now;
        Duration interval = Duration.FromMilliseconds(200);
        for (int i = 1; i <= 5; i++)
        {
            at += interval;
            h.ExpectNothing(at - Duration.FromMilliseconds(1));
            h.AdvanceTo(at);
            Assert.Equal(i, h.Expect(TcpFlags.Ack, h.Iss, RemoteIss + 1, reason: TxReason.TcpZeroWindowProbe).Note.Count);
            h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 0);
            interval *= 2;
        }

        Assert.Equal(5, h.Stats.ZeroWindowProbes);
        Assert.Equal(TcpState.Established, c.State);

        // Now the peer goes silent: two unanswered probes, 6.4 s and then 12.8 s later, and the
        // timeout 25.6 s after the second ends the connection.
        h.Advance(Duration.FromMilliseconds(6400 + 12800));
        Assert.Equal(7, h.Stats.ZeroWindowProbes);
        h.Advance(Duration.FromMilliseconds(25599));
        Assert.Equal(TcpState.Established, c.State);
        h.Advance(Duration.FromMilliseconds(1));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(TcpError.TimedOut, observer.ClosedWith);
    }

    [Fact]
    public void Our_zero_window_answers_probes_and_reopens_when_the_application_reads()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 2048, InitialBufferSize = 1024 });
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(1024));
        h.Send(TcpFlags.Ack, RemoteIss + 1025, h.Iss + 1, payload: Bytes(1024));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 2049, window: 0);

        // A Linux-style probe (an old sequence number) and a one-byte probe both get the zero window.
        h.Send(TcpFlags.Ack, RemoteIss + 2048, h.Iss + 1);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 2049, window: 0);
        h.Send(TcpFlags.Ack, RemoteIss + 2049, h.Iss + 1, payload: [42]);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 2049, window: 0);

        c.Receive(new byte[2048]);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 2049, window: 2048, reason: TxReason.TcpWindowUpdate);
    }

    [Fact]
    public void A_fin_is_sent_into_a_zero_window()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 0);
        c.ShutdownWrite();
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 1);
    }
}
