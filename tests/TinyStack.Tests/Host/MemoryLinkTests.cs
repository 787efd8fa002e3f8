using TinyStack.Host.Interop;
using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Tests.Host;

public class MemoryLinkTests
{
    private static readonly Instant s_now = Instant.FromMilliseconds(5);

    [Fact]
    public void Frames_sent_on_A_arrive_on_B_in_order_and_not_on_A()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        for (int i = 0; i < 10; i++)
        {
            a.Transmit(TestFrames.Make(i, 60 + i), TxReason.Unspecified, s_now);
        }

        byte[] buffer = new byte[b.MaxFrameLength];
        Assert.Equal(0, a.Receive(buffer, s_now));
        for (int i = 0; i < 10; i++)
        {
            int n = b.Receive(buffer, s_now);
            Assert.Equal(60 + i, n);
            Assert.Equal(TestFrames.Make(i, 60 + i), buffer[..n]);
        }

        Assert.Equal(0, b.Receive(buffer, s_now));
        Assert.Equal(10, a.FramesTransmitted);
        Assert.Equal(10, b.FramesReceived);
    }

    [Fact]
    public void Both_directions_are_independent()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        a.Transmit(TestFrames.Make(1), default, s_now);
        b.Transmit(TestFrames.Make(2), default, s_now);
        byte[] buffer = new byte[a.MaxFrameLength];

        Assert.Equal(100, a.Receive(buffer, s_now));
        Assert.Equal(2, TestFrames.SequenceOf(buffer));
        Assert.Equal(100, b.Receive(buffer, s_now));
        Assert.Equal(1, TestFrames.SequenceOf(buffer));
    }

    [Fact]
    public void A_full_ring_drops_and_counts_then_accepts_again_once_drained()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair(capacity: 4);
        for (int i = 0; i < 6; i++)
        {
            a.Transmit(TestFrames.Make(i), default, s_now);
        }

        Assert.Equal(4, a.FramesTransmitted);
        Assert.Equal(2, a.FramesDropped);
        Assert.Equal(4, b.Pending);

        byte[] buffer = new byte[b.MaxFrameLength];
        b.Receive(buffer, s_now);
        Assert.Equal(0, TestFrames.SequenceOf(buffer));
        a.Transmit(TestFrames.Make(100), default, s_now);
        Assert.Equal(2, a.FramesDropped);

        int[] order = [.. Enumerable.Range(0, 4).Select(_ => { b.Receive(buffer, s_now); return TestFrames.SequenceOf(buffer); })];
        Assert.Equal([1, 2, 3, 100], order);
    }

    [Fact]
    public void NextDeadline_is_due_while_frames_wait()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        Assert.Equal(Instant.MaxValue, b.NextDeadline);
        a.Transmit(TestFrames.Make(1), default, s_now);
        Assert.True(b.NextDeadline <= s_now);
        b.Receive(new byte[b.MaxFrameLength], s_now);
        Assert.Equal(Instant.MaxValue, b.NextDeadline);
    }

    [Fact]
    public void Oversized_frames_and_short_buffers_are_rejected_with_a_clear_message()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair(mtu: 1500);
        ArgumentException e = Assert.Throws<ArgumentException>(() => a.Transmit(new byte[1519], default, s_now));
        Assert.Contains("1519 bytes", e.Message, StringComparison.Ordinal);
        a.Transmit(new byte[1518], default, s_now);

        e = Assert.Throws<ArgumentException>(() => b.Receive(new byte[100], s_now));
        Assert.Contains("1518", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, b.Pending);
    }

    [Fact]
    public void WaitHandle_becomes_readable_when_the_peer_transmits_and_clears_when_drained()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        int fd = b.WaitHandle;
        byte[] buffer = new byte[b.MaxFrameLength];
        Assert.Equal(0, b.Receive(buffer, s_now)); // consumes the initial "maybe something waits" signal
        Assert.False(FdPoll.IsReadable(fd));

        a.Transmit(TestFrames.Make(7), default, s_now);
        Assert.True(FdPoll.IsReadable(fd));
        Assert.Equal(100, b.Receive(buffer, s_now));
        Assert.Equal(0, b.Receive(buffer, s_now));
        Assert.False(FdPoll.IsReadable(fd));
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public void Frames_cross_threads_in_order_without_loss()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair(capacity: 8);
        const int Count = 20000;
        var producer = new Thread(() =>
        {
            for (int i = 0; i < Count; i++)
            {
                byte[] frame = TestFrames.Make(i);
                long dropped = a.FramesDropped;
                a.Transmit(frame, default, s_now);
                while (a.FramesDropped != dropped)
                {
                    // Ring full: wait for the consumer and resend, so every frame gets through once.
                    Thread.Yield();
                    dropped = a.FramesDropped;
                    a.Transmit(frame, default, s_now);
                }
            }
        });
        producer.Start();

        byte[] buffer = new byte[b.MaxFrameLength];
        int expected = 0;
        while (expected < Count)
        {
            if (b.Receive(buffer, s_now) > 0)
            {
                Assert.Equal(expected, TestFrames.SequenceOf(buffer));
                Assert.Equal(TestFrames.Make(expected), buffer[..100]);
                expected++;
            }
        }

        producer.Join();
    }
}
