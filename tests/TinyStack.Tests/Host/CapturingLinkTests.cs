using TinyStack.Host.Capture;
using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Tests.Host;

public class CapturingLinkTests
{
    private static Instant Us(long microseconds) => new(microseconds);

    [Fact]
    public void A_received_frame_is_written_with_its_verdict_before_the_replies_to_it()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        var writer = new RecordingCaptureWriter();
        using var link = new CapturingLink(a, writer);
        byte[] buffer = new byte[link.Mtu + MemoryLink.LinkHeaderAllowance];

        b.Transmit(TestFrames.Make(1), default, Us(900));
        b.Transmit(TestFrames.Make(2), default, Us(900));
        Assert.Equal(100, link.Receive(buffer, Us(1000)));

        // The stack answers while it processes the frame, before the verdict comes back.
        link.Transmit(TestFrames.Make(10, 70), TxReason.EchoReply, Us(1010));
        Assert.Empty(writer.Records);
        link.ReportVerdict(DropReason.Accepted);

        Assert.Equal(100, link.Receive(buffer, Us(2000)));
        link.ReportVerdict(DropReason.Ipv4BadChecksum);
        link.Transmit(TestFrames.Make(11, 80), new TxNote(TxReason.TcpRetransmitRto, 2, 2920, Duration.FromMilliseconds(400)), Us(3000));

        Assert.Equal(
            [
                (1, 1000L, CaptureDirection.Inbound, (string?)null),
                (10, 1010L, CaptureDirection.Outbound, "EchoReply"),
                (2, 2000L, CaptureDirection.Inbound, "Ipv4BadChecksum"),
                (11, 3000L, CaptureDirection.Outbound, "TcpRetransmitRto #2 cwnd=2920 rto=400ms"),
            ],
            writer.Records.Select(r => (TestFrames.SequenceOf(r.Frame), r.Timestamp.Microseconds, r.Direction, r.Comment)));

        // What was captured also went through.
        Assert.Equal(2, b.Receive(buffer, Us(4000)) > 0 ? 2 : 0);
    }

    [Fact]
    public void A_frame_without_verdict_is_written_at_the_next_receive_or_poll()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        var writer = new RecordingCaptureWriter();
        using var link = new CapturingLink(a, writer);
        byte[] buffer = new byte[link.Mtu + MemoryLink.LinkHeaderAllowance];
        b.Transmit(TestFrames.Make(1), default, Us(0));
        b.Transmit(TestFrames.Make(2), default, Us(0));

        link.Receive(buffer, Us(10));
        link.Receive(buffer, Us(20));
        Assert.Single(writer.Records);
        link.Poll(Us(30));
        Assert.Equal([1, 2], writer.Records.Select(r => TestFrames.SequenceOf(r.Frame)));
        Assert.All(writer.Records, r => Assert.Null(r.Comment));
    }

    [Fact]
    public void Poll_flushes_the_writer_at_most_every_100_ms_and_says_when()
    {
        (MemoryLink a, _) = MemoryLink.CreatePair();
        var writer = new RecordingCaptureWriter();
        using var link = new CapturingLink(a, writer);
        link.Poll(Us(200_000));
        link.Transmit(TestFrames.Make(1), default, Us(200_000));
        Assert.True(link.NextDeadline <= Us(200_000), "unflushed data makes a flush due at once after a quiet period");
        link.Poll(Us(200_000));
        Assert.Equal(1, writer.Flushes);
        Assert.Equal(Instant.MaxValue, link.NextDeadline);

        link.Transmit(TestFrames.Make(2), default, Us(250_000));
        Assert.Equal(Us(300_000), link.NextDeadline);
        link.Poll(Us(299_999));
        Assert.Equal(1, writer.Flushes);
        link.Poll(Us(300_000));
        Assert.Equal(2, writer.Flushes);
    }

    [Fact]
    public void Disposing_writes_what_is_pending_and_disposes_writer_and_inner_link()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        var writer = new RecordingCaptureWriter();
        var link = new CapturingLink(a, writer);
        b.Transmit(TestFrames.Make(1), default, Us(0));
        link.Receive(new byte[2000], Us(5));
        link.Dispose();
        Assert.Single(writer.Records);
        Assert.True(writer.Disposed);
        Assert.Throws<ObjectDisposedException>(() => a.WaitHandle);
    }

    [Fact]
    public void A_pcapng_capture_of_an_exchange_shows_comments_and_directions_in_tshark()
    {
        using var file = new TempFile("exchange.pcapng");
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        using (var link = new CapturingLink(a, CaptureWriter.Create(file.Path, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero))))
        {
            byte[] buffer = new byte[2000];
            b.Transmit(TestFrames.Make(1), default, Us(0));
            link.Receive(buffer, Us(100));
            link.Transmit(TestFrames.Make(2), TxReason.ArpReply, Us(150));
            link.ReportVerdict(DropReason.Accepted);
            b.Transmit(TestFrames.Make(3), default, Us(0));
            link.Receive(buffer, Us(200));
            link.ReportVerdict(DropReason.UdpNoListener);
        }

        Assert.Equal(
            ["|1|1735787045.000100000", "ArpReply|2|1735787045.000150000", "UdpNoListener|1|1735787045.000200000"],
            Tshark.Fields(file.Path, "frame.comment", "frame.packet_flags_direction", "frame.time_epoch").Select(Tshark.NormalizeHex));
    }

    private sealed class RecordingCaptureWriter : ICaptureWriter
    {
        public List<(byte[] Frame, Instant Timestamp, CaptureDirection Direction, string? Comment)> Records { get; } = [];

        public int Flushes { get; private set; }

        public bool Disposed { get; private set; }

        public DateTimeOffset WallClockAtZero => DateTimeOffset.UnixEpoch;

        public long FramesWritten => Records.Count;

        public void Write(ReadOnlySpan<byte> frame, Instant timestamp, CaptureDirection direction, string? comment = null) =>
            Records.Add((frame.ToArray(), timestamp, direction, comment));

        public void Flush() => Flushes++;

        public void Dispose() => Disposed = true;
    }
}
