using System.Globalization;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Tcp;

/// <summary>
/// A pcapng capture of real traffic explains itself in Wireshark: every frame TinyStack sent has a
/// comment saying why (with cwnd and RTO on TCP), and every frame it dropped says why it was dropped.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class CaptureCommentLiveTests(ITestOutputHelper output) : IDisposable
{
    // `tinystack run` derives its MAC from the address: 02:54:53 ("TS") and the address's low 24 bits.
    private const string OurMac = "02:54:53:00:00:02";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    private readonly string _dir = Directory.CreateTempSubdirectory("ts-live-comments-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_capture_of_a_lossy_download_and_a_refused_connection_has_a_comment_on_every_frame_we_sent()
    {
        string file = Path.Combine(_dir, "lossy.pcapng");
        string counters;
        using (Lab lab = new())
        {
            StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", "--capture", file, "--drop", "0.01", "--seed", "7");
            ProcessResult chargen = lab.TcpClient(s_timeout, "chargen", "10.0.0.2", (4 * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
            output.WriteLine(chargen.ToString());
            Assert.Equal(0, chargen.ExitCode);

            // Nothing listens on 4444: the kernel's SYN is answered with RST (retried if the fault injector drops either).
            ProcessResult refused = lab.Bash("exec 3<>/dev/tcp/10.0.0.2/4444", s_timeout);
            output.WriteLine(refused.ToString());
            Assert.Contains("Connection refused", refused.Stderr, StringComparison.Ordinal);
            counters = stack.Stop();
        }

        output.WriteLine(counters);

        // Every frame with our MAC as source is one we sent (pcapng direction 2 = outbound), and has a comment.
        string[] ours = Fields(file, $"eth.src == {OurMac}", "frame.packet_flags_direction", "tcp.srcport", "frame.comment");
        Assert.True(ours.Length >= 4 * 1024 * 1024 / 1460, $"only {ours.Length} frames from us: fewer than 4 MiB needs");
        Assert.Equal(ours.Length, Fields(file, "frame.packet_flags_direction == 2", "frame.number").Length);
        var comments = new List<string>();
        foreach (string line in ours)
        {
            string[] f = line.Split('|');
            Assert.True(f[0] is "2" or "0x00000002", $"a frame from our MAC is not outbound: {line}");
            Assert.False(string.IsNullOrEmpty(f[2]), $"a frame we sent has no comment: {line}");
            if (f[1].Length > 0)
            {
                // TCP: the reason and always cwnd and rto ("-" outside a connection).
                Assert.Matches(@"^Tcp\w+( #\d+)?( cause=\w+)? cwnd=(\d+|-) rto=(\S+|-)", f[2]);
            }

            comments.Add(f[2]);
        }

        // The losses were repaired, and the comments say how; the refused connection's RST says why.
        Assert.Contains(comments, c => c.StartsWith("TcpFastRetransmit", StringComparison.Ordinal)
            || c.StartsWith("TcpSackRetransmit", StringComparison.Ordinal) || c.StartsWith("TcpRetransmitRto", StringComparison.Ordinal));
        Assert.Contains(comments, c => c.StartsWith("TcpNewData cwnd=", StringComparison.Ordinal));
        Assert.Contains("TcpReset cause=NoListener cwnd=- rto=-", comments);
        Assert.Contains(comments, c => c.StartsWith("TcpSynAck cwnd=", StringComparison.Ordinal));
        string[] resets = Fields(file, "tcp.srcport == 4444 && tcp.flags.reset == 1", "frame.comment");
        Assert.NotEmpty(resets);
        Assert.All(resets, r => Assert.Equal("TcpReset cause=NoListener cwnd=- rto=-", r));

        // Inbound frames the stack dropped carry the verdict: the SYN to the closed port at least.
        string[] dropped = Fields(file, "frame.packet_flags_direction == 1 && frame.comment", "frame.comment");
        Assert.All(dropped, d => Assert.True(Enum.TryParse(d, out DropReason reason) && reason != DropReason.Accepted, $"not a drop reason: {d}"));
        string[] refusedSyns = Fields(file, "tcp.dstport == 4444 && tcp.flags.syn == 1", "frame.comment");
        Assert.NotEmpty(refusedSyns);
        Assert.All(refusedSyns, s => Assert.Equal(nameof(DropReason.TcpNoConnection), s));

        ProcessResult expert = Shell.Run("tshark", ["-r", file, "-q", "-z", "expert"], s_timeout);
        output.WriteLine(expert.ToString());
        Assert.Equal(0, expert.ExitCode);
        Assert.DoesNotContain("Errors (", expert.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Malformed", expert.Stdout, StringComparison.OrdinalIgnoreCase);

        Figures.Record($"capture comments: {ours.Length} frames sent by TinyStack in a 4 MiB chargen download with --drop 0.01 and a refused connection, all with comments; "
            + $"{comments.Count(c => c.Contains("Retransmit", StringComparison.Ordinal))} retransmissions explained, {dropped.Length} inbound drops with reasons");
    }

    /// <summary>tshark's fields of the frames matching a display filter, one line per frame, separated by '|'.</summary>
    private static string[] Fields(string file, string filter, params string[] fields)
    {
        List<string> args = ["-r", file, "-Y", filter, "-T", "fields", "-E", "separator=|"];
        foreach (string field in fields)
        {
            args.Add("-e");
            args.Add(field);
        }

        ProcessResult result = Shell.Run("tshark", [.. args], s_timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
