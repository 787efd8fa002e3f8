using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>FIN-WAIT-1: our FIN is out, neither its ACK nor the peer's FIN has arrived.</summary>
public class FinWait1Tests
{
    /// <summary>An established connection that has just sent its FIN (shared with the FIN-WAIT-2 tests).</summary>
    internal static TcpConnection InFinWait1(TcpHarness h, out RecordingObserver observer, bool close = false)
    {
        TcpConnection c = h.EstablishPassive(out observer);
        if (close)
        {
            c.Close();
        }
        else
        {
            c.ShutdownWrite();
        }

        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 1);
        Assert.Equal(TcpState.FinWait1, c.State);
        return c;
    }

    [Fact]
    public void Ack_of_our_fin_moves_to_fin_wait_2()
    {
        var h = new TcpHarness();
        TcpConnection c = InFinWait1(h, out _);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 2);
        Assert.Equal(TcpState.FinWait2, c.State);
        h.ExpectNothing();
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
    }

    [Fact]
    public void Fin_with_the_ack_of_ours_goes_straight_to_time_wait()
    {
        var h = new TcpHarness();
        TcpConnection c = InFinWait1(h, out RecordingObserver observer);
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 2);
        Assert.Equal(TcpState.TimeWait, c.State);
        h.Expect(TcpFlags.Ack, h.Iss + 2, RemoteIss + 2, window: 32767);
        Assert.Contains("closed:None", observer.Events);
    }

    [Fact]
    public void Fin_without_the_ack_of_ours_is_a_simultaneous_close()
    {
        var h = new TcpHarness();
        TcpConnection c = InFinWait1(h, out _);
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 1);
        Assert.Equal(TcpState.Closing, c.State);
        h.Expect(TcpFlags.Ack, h.Iss + 2, RemoteIss + 2, window: 32767);
    }

    [Fact]
    public void Data_still_flows_in_after_a_half_close()
    {
        var h = new TcpHarness();
        TcpConnection c = InFinWait1(h, out _);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(2 * Mss));
        h.Expect(TcpFlags.Ack, h.Iss + 2, RemoteIss + 1 + (2 * Mss), window: 32768 - (2 * Mss));
        Assert.Equal(2 * Mss, c.ReadableBytes);
    }

    [Fact]
    public void Unacknowledged_fin_is_retransmitted()
    {
        var h = new TcpHarness();
        InFinWait1(h, out _);
        h.Advance(Duration.FromMilliseconds(200));
        Emitted again = h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpRetransmitRto);
        Assert.Equal(1, again.Note.Count);
    }

    [Fact]
    public void Data_arriving_after_close_is_answered_with_reset()
    {
        var h = new TcpHarness();
        TcpConnection c = InFinWait1(h, out _, close: true);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10));
        h.Expect(TcpFlags.Rst, h.Iss + 2, window: 0);
        Assert.Equal(TcpState.Closed, c.State);
    }
}
