using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>CLOSING: both FINs crossed; waiting for the ACK of ours.</summary>
public class ClosingTests
{
    private static TcpConnection InClosing(TcpHarness h, out RecordingObserver observer)
    {
        TcpConnection c = h.EstablishPassive(out observer);
        c.ShutdownWrite();
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 1);
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 1);
        h.Expect(TcpFlags.Ack, h.Iss + 2, RemoteIss + 2, window: 32767);
        Assert.Equal(TcpState.Closing, c.State);
        return c;
    }

    [Fact]
    public void Ack_of_our_fin_enters_time_wait()
    {
        var h = new TcpHarness();
        TcpConnection c = InClosing(h, out RecordingObserver observer);
        h.Send(TcpFlags.Ack, RemoteIss + 2, h.Iss + 2);
        Assert.Equal(TcpState.TimeWait, c.State);
        Assert.Equal(TcpError.None, observer.ClosedWith);
        h.ExpectNothing();
    }

    [Fact]
    public void Our_fin_is_retransmitted_until_acknowledged()
    {
        var h = new TcpHarness();
        InClosing(h, out _);
        h.Advance(Duration.FromMilliseconds(200));
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 2, window: 32767, reason: TxReason.TcpRetransmitRto);
    }

    [Fact]
    public void Ack_that_does_not_cover_our_fin_changes_nothing()
    {
        var h = new TcpHarness();
        TcpConnection c = InClosing(h, out _);
        h.Send(TcpFlags.Ack, RemoteIss + 2, h.Iss + 1);
        Assert.Equal(TcpState.Closing, c.State);
    }
}
