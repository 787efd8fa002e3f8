using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Capture;

/// <summary>Captures written by TinyStack during real traffic are clean in Wireshark's eyes.</summary>
[Collection(LiveCollection.Name)]
public sealed class CaptureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("pcapng")]
    [InlineData("pcap")]
    public void Capture_of_arp_and_pings_has_no_expert_errors_or_malformed_frames(string extension)
    {
        string file = Path.Combine(Path.GetTempPath(), $"ts-live-{Environment.ProcessId}-{Guid.NewGuid():N}.{extension}");
        try
        {
            using (Lab lab = new())
            {
                StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", "--capture", file);
                Assert.Equal(0, lab.Exec(s_timeout, "ping", "-c", "3", "-i", "0.05", "10.0.0.2").ExitCode);
                Assert.Equal(0, lab.Exec(s_timeout, "ping", "-c", "2", "-s", "5000", "10.0.0.2").ExitCode);
                stack.Stop();
            }

            ProcessResult expert = Shell.Run("tshark", ["-r", file, "-q", "-z", "expert"], s_timeout);
            output.WriteLine(expert.ToString());
            Assert.Equal(0, expert.ExitCode);
            Assert.DoesNotContain("Errors (", expert.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Malformed", expert.Stdout, StringComparison.OrdinalIgnoreCase);

            ProcessResult frames = Shell.Run("tshark", ["-r", file, "-T", "fields", "-e", "frame.protocols", "-e", "icmp.type"], s_timeout);
            output.WriteLine(frames.ToString());
            Assert.Contains("arp", frames.Stdout, StringComparison.Ordinal);
            Assert.Contains("\t0", frames.Stdout, StringComparison.Ordinal); // echo replies

            if (extension == "pcapng")
            {
                // Every frame TinyStack sent carries its reason as a packet comment.
                ProcessResult comments = Shell.Run("tshark", ["-r", file, "-Y", "icmp.type == 0", "-T", "fields", "-e", "frame.comment"], s_timeout);
                output.WriteLine(comments.ToString());
                Assert.Contains("EchoReply", comments.Stdout, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }
}
