using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Sliding windows: the peer's window limits us, ours limits the peer, window updates, SWS avoidance, buffers on demand.</summary>
public class FlowControlTests
{
    [Fact]
    public void Sender_stays_within_the_peers_window()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out _, peerWindow: 1000);
        c.Send(Bytes(3000));

        // Nothing is in flight, so the whole usable window goes out even though it is below one MSS.
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, payload: Bytes(3000)[..1000]);
        h.ExpectNothing();

        // The ACK opens the window again.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1001, window: 2000);
        h.Expect(TcpFlags.Ack, h.Iss + 1001, RemoteIss + 1, payload: Bytes(3000)[1000..(1000 + Mss)]);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1001 + Mss, RemoteIss + 1, payload: Bytes(3000)[(1000 + Mss)..]);
        h.ExpectNothing();
    }

    [Fact]
    public void Sender_avoids_silly_windows_while_data_is_in_flight()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive(out _, peerWindow: Mss + 100);
        c.Send(Bytes(Mss));
        h.Next();

        // The peer's window leaves room for only 100 more bytes: far below half the largest
        // window seen, with data in flight, so we wait.
        c.Send(Bytes(3000));
        h.ExpectNothing();

        // Once everything is acknowledged the window is used even if small (nothing in flight).
        // The peer has not read yet, so its right edge stays where it was.
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1 + Mss, window: 100);
        Assert.Equal(100, h.Next().Payload.Length);
    }

    [Fact]
    public void Receive_window_shrinks_with_unread_data_and_a_window_update_follows_reading()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        uint seq = RemoteIss + 1;
        for (int i = 0; i < 10; i++)
        {
            h.Send(TcpFlags.Ack, seq, h.Iss + 1, payload: Bytes(Mss));
            seq += Mss;
        }

        // Five ACKs (every second segment), the window shrinking each time.
        for (int i = 1; i <= 5; i++)
        {
            h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1 + (uint)(2 * i * Mss), window: (ushort)(32768 - (2 * i * Mss)));
        }

        // Reading less than two segments sends nothing (receiver SWS avoidance)...
        byte[] buffer = new byte[Mss];
        c.Receive(buffer);
        h.ExpectNothing();

        // ...reading two segments' worth opens the window enough to say so.
        c.Receive(buffer);
        h.Expect(TcpFlags.Ack, h.Iss + 1, seq, window: (ushort)(32768 - (8 * Mss)), reason: TxReason.TcpWindowUpdate);
    }

    [Fact]
    public void A_full_window_refuses_more_data_and_answers_with_window_zero()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 4096, InitialBufferSize = 1024 });
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(4096));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 4097, window: 0);
        h.Send(TcpFlags.Ack, RemoteIss + 4097, h.Iss + 1, payload: Bytes(100));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 4097, window: 0);
        Assert.Equal(4096, c.ReadableBytes);

        // Reading half the buffer reopens the window by half the buffer: an update goes out.
        c.Receive(new byte[2048]);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 4097, window: 2048, reason: TxReason.TcpWindowUpdate);
    }

    [Fact]
    public void A_segment_straddling_the_right_edge_is_trimmed_to_the_window()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 4096, InitialBufferSize = 1024 });
        TcpConnection c = h.EstablishPassive();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(4000));
        h.Clear();
        h.Send(TcpFlags.Ack, RemoteIss + 4001, h.Iss + 1, payload: Bytes(500, 3));
        Assert.Equal(4096, c.ReadableBytes);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 4097, window: 0);
    }

    [Fact]
    public void Buffers_are_allocated_while_data_flows_and_returned_when_idle()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        Assert.Equal(0, c.SendBufferCapacity);
        Assert.Equal(0, c.ReceiveBufferCapacity);

        c.Send(Bytes(100));
        h.Next();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 101, payload: Bytes(100));
        Assert.Equal(0, c.SendBufferCapacity);
        Assert.True(c.ReceiveBufferCapacity > 0);
        c.Receive(new byte[100]);
        Assert.Equal(0, c.ReceiveBufferCapacity);
    }

    [Fact]
    public void Window_scaling_applies_to_both_directions()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, ReceiveBufferSize = 1024 * 1024 });
        TcpConnection c = h.EstablishPassive(out _, new TcpOptions { Mss = 1460, WindowScale = 2 });
        Assert.Equal((2, 5), c.WindowShifts);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 65535, payload: Bytes(60));
        Assert.Equal(65535u << 2, c.SndWnd);

        // A later segment (SEG.SEQ > SND.WL1) updates the window: 1000 units of 4 bytes.
        h.Send(TcpFlags.Ack, RemoteIss + 61, h.Iss + 1, window: 1000, payload: Bytes(40));
        Assert.Equal(4000u, c.SndWnd);
        h.Advance(Duration.FromMilliseconds(40));

        // 1 MiB needs shift 5; the field counts 32-byte units, rounded down: (1 MiB - 100) / 32.
        Emitted ack = h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 101, window: (1024 * 1024 - 100) / 32);
        Assert.Equal(TxReason.TcpDelayedAck, ack.Note.Reason);
    }
}
