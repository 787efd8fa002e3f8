using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>CLOSE-WAIT: the peer closed; we may still send, then close.</summary>
public class CloseWaitTests
{
    private static TcpConnection InCloseWait(TcpHarness h, out RecordingObserver observer)
    {
        TcpConnection c = h.EstablishPassive(out observer);
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 1);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 2, window: 32767);
        Assert.Equal(TcpState.CloseWait, c.State);
        Assert.True(c.IsEndOfStream);
        return c;
    }

    [Fact]
    public void We_can_still_send_after_the_peer_closed()
    {
        var h = new TcpHarness();
        TcpConnection c = InCloseWait(h, out _);
        Assert.True(c.CanSend);
        c.Send(Bytes(10));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1, RemoteIss + 2, window: 32767, payload: Bytes(10));
    }

    [Fact]
    public void Close_sends_fin_and_enters_last_ack()
    {
        var h = new TcpHarness();
        TcpConnection c = InCloseWait(h, out _);
        c.Close();
        Assert.Equal(TcpState.LastAck, c.State);
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 2, window: 32767, reason: TxReason.TcpFin);
    }

    [Fact]
    public void A_retransmitted_fin_is_acknowledged_again()
    {
        var h = new TcpHarness();
        TcpConnection c = InCloseWait(h, out _);
        Assert.Equal(DropReason.TcpOutOfWindow, h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 1));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 2, window: 32767);
        Assert.Equal(TcpState.CloseWait, c.State);
    }

    [Fact]
    public void Rst_resets_a_close_wait_connection()
    {
        var h = new TcpHarness();
        TcpConnection c = InCloseWait(h, out RecordingObserver observer);
        h.Send(TcpFlags.Rst, RemoteIss + 2);
        Assert.Equal(TcpError.ConnectionReset, c.Error);
        Assert.Equal(TcpError.ConnectionReset, observer.ClosedWith);
    }

    [Fact]
    public void Receive_returns_nothing_more_after_the_end_of_stream()
    {
        var h = new TcpHarness();
        TcpConnection c = InCloseWait(h, out _);
        Assert.Equal(0, c.Receive(new byte[10]));
        Assert.True(c.IsEndOfStream);
        h.ExpectNothing(h.Now + Duration.FromSeconds(30));
    }
}
