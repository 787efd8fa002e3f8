using System.Globalization;
using TinyStack.Host.Capture;
using TinyStack.Time;

namespace TinyStack.Tests.Host;

public class CaptureWriterTests
{
    // 2024-05-01T12:00:00Z = 1714564800 s since the Unix epoch.
    private static readonly DateTimeOffset s_origin = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private const long OriginSeconds = 1714564800;

    private static readonly Instant[] s_times = [Instant.Zero, new(1_500), new(2_000_001)];

    private static void WriteSample(ICaptureWriter writer)
    {
        writer.Write(TestFrames.Make(0, 60), s_times[0], CaptureDirection.Inbound, "TcpBadChecksum");
        writer.Write(TestFrames.Make(1, 1514), s_times[1], CaptureDirection.Outbound, "TcpRetransmitRto #2 cwnd=2920 rto=400ms");
        writer.Write(TestFrames.Make(2, 98), s_times[2], CaptureDirection.Inbound, null);
    }

    [Theory]
    [InlineData("sample.pcap")]
    [InlineData("sample.pcapng")]
    public void Tshark_reads_every_frame_with_real_dates_in_order(string fileName)
    {
        using var file = new TempFile(fileName);
        using (ICaptureWriter writer = CaptureWriter.Create(file.Path, s_origin))
        {
            WriteSample(writer);
            Assert.Equal(3, writer.FramesWritten);
        }

        string[] lines = Tshark.Fields(file.Path, "frame.time_epoch", "frame.len", "frame.cap_len", "eth.type");
        Assert.Equal(
            [
                $"{OriginSeconds}.000000000|60|60|0x88b5",
                $"{OriginSeconds}.001500000|1514|1514|0x88b5",
                $"{OriginSeconds + 2}.000001000|98|98|0x88b5",
            ],
            lines);

        DateTimeOffset first = DateTimeOffset.FromUnixTimeSeconds(long.Parse(lines[0].Split('.')[0], CultureInfo.InvariantCulture));
        Assert.Equal(2024, first.Year);
    }

    [Fact]
    public void Pcapng_frames_carry_their_comment_and_direction()
    {
        using var file = new TempFile("comments.pcapng");
        using (ICaptureWriter writer = CaptureWriter.Create(file.Path, s_origin, interfaceName: "tap0"))
        {
            WriteSample(writer);
        }

        string[] lines = [.. Tshark.Fields(file.Path, "frame.comment", "frame.packet_flags_direction", "frame.interface_name").Select(Tshark.NormalizeHex)];
        Assert.Equal(
            [
                "TcpBadChecksum|1|tap0",
                "TcpRetransmitRto #2 cwnd=2920 rto=400ms|2|tap0",
                "|1|tap0",
            ],
            lines);
    }

    [Fact]
    public void Comments_of_any_length_keep_the_blocks_aligned()
    {
        using var file = new TempFile("lengths.pcapng");
        using (var writer = new PcapNgWriter(file.Path, s_origin))
        {
            for (int i = 0; i < 9; i++)
            {
                writer.Write(TestFrames.Make(i, 60 + i), new Instant(i), CaptureDirection.Outbound, new string('x', i) + "é");
            }
        }

        string[] lines = Tshark.Fields(file.Path, "frame.comment", "frame.len");
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"{new string('x', i)}é|{60 + i}"), lines);
    }

    [Fact]
    public void A_comment_longer_than_an_option_can_hold_is_cut_not_fatal()
    {
        using var file = new TempFile("long-comment.pcapng");
        using (var writer = new PcapNgWriter(file.Path, s_origin))
        {
            writer.Write(TestFrames.Make(1), Instant.Zero, CaptureDirection.Outbound, new string('c', 70_000));
            writer.Write(TestFrames.Make(2), Instant.Zero, CaptureDirection.Outbound, "next");
        }

        string[] lines = Tshark.Fields(file.Path, "frame.comment");
        Assert.Equal(2, lines.Length);
        Assert.Equal(65535 / 3, lines[0].Length);
        Assert.Equal("next", lines[1]);
    }

    [Fact]
    public void Frames_longer_than_the_snap_length_are_truncated_but_keep_their_length()
    {
        using var file = new TempFile("big.pcap");
        using (var writer = new PcapWriter(file.Path, s_origin))
        {
            writer.Write(new byte[PcapWriter.SnapLength + 10], Instant.Zero, CaptureDirection.Outbound);
        }

        IReadOnlyList<CapturedFrame> frames = CaptureReader.ReadAll(file.Path);
        Assert.Equal(PcapWriter.SnapLength, Assert.Single(frames).Data.Length);
    }

    [Theory]
    [InlineData("x.pcapng", typeof(PcapNgWriter))]
    [InlineData("x.PCAPNG", typeof(PcapNgWriter))]
    [InlineData("x.pcap", typeof(PcapWriter))]
    [InlineData("x.cap", typeof(PcapWriter))]
    public void Create_picks_the_format_by_extension(string fileName, Type expected)
    {
        using var file = new TempFile(fileName);
        using ICaptureWriter writer = CaptureWriter.Create(file.Path);
        Assert.IsType(expected, writer);
    }

    [Fact]
    public void Create_rejects_an_unknown_extension_with_a_clear_message()
    {
        using var file = new TempFile("capture.txt");
        ArgumentException e = Assert.Throws<ArgumentException>(() => CaptureWriter.Create(file.Path));
        Assert.Contains(".pcapng", e.Message, StringComparison.Ordinal);
        Assert.Contains(".pcap", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(file.Path));
    }

    [Theory]
    [InlineData("round.pcap")]
    [InlineData("round.pcapng")]
    public void CaptureReader_reads_back_what_the_writer_wrote(string fileName)
    {
        using var file = new TempFile(fileName);
        using (ICaptureWriter writer = CaptureWriter.Create(file.Path, s_origin))
        {
            WriteSample(writer);
        }

        IReadOnlyList<CapturedFrame> frames = CaptureReader.ReadAll(file.Path);
        long originMicros = OriginSeconds * 1_000_000;
        Assert.Equal(3, frames.Count);
        Assert.Equal([originMicros, originMicros + 1_500, originMicros + 2_000_001], frames.Select(f => f.TimestampMicros));
        Assert.Equal(TestFrames.Make(0, 60), frames[0].Data);
        Assert.Equal(TestFrames.Make(1, 1514), frames[1].Data);
        Assert.Equal(TestFrames.Make(2, 98), frames[2].Data);
        Assert.Equal(s_origin, frames[0].Timestamp);

        Assert.Equal(frames, CaptureReader.Read(file.Path).ToList(), (x, y) => x.TimestampMicros == y.TimestampMicros && x.Data.SequenceEqual(y.Data));
    }

    [Fact]
    public void CaptureReader_explains_missing_and_foreign_files()
    {
        using var file = new TempFile("not-a-capture.pcap");
        Assert.Throws<FileNotFoundException>(() => CaptureReader.ReadAll(file.Path));

        File.WriteAllText(file.Path, "this is not a capture file, just some text long enough for a header");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => CaptureReader.ReadAll(file.Path));
        Assert.Contains("not-a-capture.pcap", e.Message, StringComparison.Ordinal);
    }
}
