using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>
/// The per-connection counters that /stats shows: bytes received in sequence, bytes acknowledged
/// by the peer, and segments retransmitted. Each byte counts once, whatever the network repeats.
/// </summary>
public class ConnectionCountersTests
{
    [Fact]
    public void Bytes_received_count_each_byte_once_when_it_arrives_in_sequence()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal(0, c.BytesReceived);

        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(100));
        Assert.Equal(100, c.BytesReceived);

        // The same segment again (a retransmission the peer thought necessary): nothing new.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(100));
        Assert.Equal(100, c.BytesReceived);

        // Data beyond a hole waits unread, and is counted only once the hole is filled.
        h.Send(TcpFlags.Ack, RemoteIss + 301, h.Iss + 1, payload: Bytes(50));
        Assert.Equal(100, c.BytesReceived);
        h.Send(TcpFlags.Ack, RemoteIss + 101, h.Iss + 1, payload: Bytes(200));
        Assert.Equal(350, c.BytesReceived);

        // A segment that overlaps what we have counts only its new part; the FIN is no payload.
        h.Send(TcpFlags.Ack | TcpFlags.Fin, RemoteIss + 331, h.Iss + 1, payload: Bytes(30));
        Assert.Equal(360, c.BytesReceived);
        Assert.Equal(TcpState.CloseWait, c.State);

        // Reading does not change it: it counts what arrived, not what is buffered.
        Assert.Equal(360, c.Receive(new byte[1000]));
        Assert.Equal(360, c.BytesReceived);
        Assert.Equal(0, c.BytesAcked);
    }

    [Fact]
    public void Bytes_acked_count_acknowledged_payload_once_and_retransmissions_are_counted_apart()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        byte[] data = Bytes(3 * Mss);
        Assert.Equal(data.Length, c.Send(data));
        for (int i = 0; i < 3; i++)
        {
            h.Next();
        }

        Assert.Equal(0, c.BytesAcked);

        // A partial ACK: the first segment only.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1 + Mss);
        Assert.Equal(Mss, c.BytesAcked);

        // The rest is lost: the timeout resends the first outstanding segment.
        h.Advance(c.Rto);
        Emitted retransmission = h.Next();
        Assert.Equal(TxReason.TcpRetransmitRto, retransmission.Note.Reason);
        Assert.Equal(1, c.Retransmits);

        // A duplicate of an old ACK adds nothing; the ACK of everything adds the rest once.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1 + Mss);
        Assert.Equal(Mss, c.BytesAcked);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1 + (uint)data.Length);
        Assert.Equal(data.Length, c.BytesAcked);
        Assert.Equal(1, c.Retransmits);

        // Our FIN occupies a sequence number, not a payload byte.
        c.Close();
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, h.Iss + 1 + (uint)data.Length, RemoteIss + 1);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 2 + (uint)data.Length);
        Assert.Equal(TcpState.FinWait2, c.State);
        Assert.Equal(data.Length, c.BytesAcked);
        Assert.Equal(0, c.BytesReceived);
    }

    [Fact]
    public void Each_retransmitted_segment_counts_once_per_sending()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(100));
        h.Next();

        // Two timeouts in a row (the RTO doubles between them): two retransmissions.
        h.Advance(c.Rto);
        Assert.Equal(TxReason.TcpRetransmitRto, h.Next().Note.Reason);
        h.Advance(c.Rto);
        Assert.Equal(TxReason.TcpRetransmitRto, h.Next().Note.Reason);
        Assert.Equal(2, c.Retransmits);
        Assert.Equal(2, h.Stats.SegmentsRetransmitted);

        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 101);
        Assert.Equal(100, c.BytesAcked);
        Assert.Equal(2, c.Retransmits);
    }
}
