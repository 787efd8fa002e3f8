using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>LAST-ACK: the peer closed first, we closed too; waiting for the ACK of our FIN.</summary>
public class LastAckTests
{
    private static TcpConnection InLastAck(TcpHarness h, out RecordingObserver observer)
    {
        TcpConnection c = h.EstablishPassive(out observer);
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 1, h.Iss + 1);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 2, window: 32767);
        c.Close();
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 2, window: 32767);
        Assert.Equal(TcpState.LastAck, c.State);
        return c;
    }

    [Fact]
    public void Ack_of_our_fin_closes_and_frees_the_tuple()
    {
        var h = new TcpHarness();
        TcpConnection c = InLastAck(h, out RecordingObserver observer);
        h.Send(TcpFlags.Ack, RemoteIss + 2, h.Iss + 2);
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(TcpError.None, c.Error);
        h.Poll();
        Assert.Equal(TcpError.None, observer.ClosedWith);
        Assert.Equal(0, h.Layer.ConnectionCount);
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
    }

    [Fact]
    public void Fin_is_retransmitted_with_backoff()
    {
        var h = new TcpHarness();
        InLastAck(h, out _);
        Instant sent = h.Now;
        h.AdvanceTo(sent + Duration.FromMilliseconds(200));
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 2, window: 32767);
        h.ExpectNothing(sent + Duration.FromMilliseconds(599));
        h.AdvanceTo(sent + Duration.FromMilliseconds(600));
        Assert.Equal(2, h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1, RemoteIss + 2, window: 32767).Note.Count);
    }

    [Fact]
    public void Rst_closes_without_error()
    {
        var h = new TcpHarness();
        TcpConnection c = InLastAck(h, out _);
        h.Send(TcpFlags.Rst, RemoteIss + 2);
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(TcpError.None, c.Error);
    }
}
