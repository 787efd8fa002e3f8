using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>FIN-WAIT-2: our FIN is acknowledged; waiting for the peer's.</summary>
public class FinWait2Tests
{
    private static TcpConnection InFinWait2(TcpHarness h, out RecordingObserver observer, bool close = false)
    {
        TcpConnection c = FinWait1Tests.InFinWait1(h, out observer, close);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 2);
        Assert.Equal(TcpState.FinWait2, c.State);
        return c;
    }

    [Fact]
    public void Peer_data_is_received_in_a_half_closed_connection()
    {
        var h = new TcpHarness();
        TcpConnection c = InFinWait2(h, out RecordingObserver observer);
        h.Send(TcpFlags.Ack | TcpFlags.Psh, RemoteIss + 1, h.Iss + 2, payload: Bytes(50));
        Assert.Equal(50, c.ReadableBytes);
        Assert.Contains("readable", observer.Events);
        h.Advance(Duration.FromMilliseconds(40));
        h.Expect(TcpFlags.Ack, h.Iss + 2, RemoteIss + 51, window: 32768 - 50, reason: TxReason.TcpDelayedAck);
    }

    [Fact]
    public void Peer_fin_moves_to_time_wait()
    {
        var h = new TcpHarness();
        TcpConnection c = InFinWait2(h, out RecordingObserver observer);
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 2);
        h.Expect(TcpFlags.Ack, h.Iss + 2, RemoteIss + 2, window: 32767);
        Assert.Equal(TcpState.TimeWait, c.State);
        Assert.Equal(TcpError.None, observer.ClosedWith);
    }

    [Fact]
    public void An_orphaned_fin_wait_2_times_out_after_60_seconds()
    {
        var h = new TcpHarness();
        Instant start = h.Now;
        TcpConnection c = InFinWait2(h, out _, close: true);
        h.ExpectNothing(start + Duration.FromMilliseconds(59_999));
        Assert.Equal(TcpState.FinWait2, c.State);
        h.AdvanceTo(start + Duration.FromSeconds(60));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void A_half_closed_connection_waits_for_the_peer_indefinitely()
    {
        var h = new TcpHarness();
        TcpConnection c = InFinWait2(h, out _);
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
        h.ExpectNothing(h.Now + Duration.FromSeconds(3600));
        Assert.Equal(TcpState.FinWait2, c.State);
    }
}
