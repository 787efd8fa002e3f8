using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Tcp;

/// <summary>
/// The Linux kernel, through a real TAP in a private lab, talks TCP to the services of
/// <c>tinystack run</c> (echo, discard, daytime, chargen), and <c>tinystack connect</c> talks to
/// kernel listeners.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class TcpServiceTests(ITestOutputHelper output) : IDisposable
{
    private const int MiB = 1024 * 1024;
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    private readonly string _dir = Directory.CreateTempSubdirectory("ts-live-tcp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("")]
    [InlineData("--drop 0.02 --reorder 0.02 --seed 3")]
    public void Echo_returns_20_MiB_of_random_bytes_identical(string faults)
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", faults.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        string input = Path.Combine(_dir, "in.bin");
        string echoed = Path.Combine(_dir, "out.bin");
        File.WriteAllBytes(input, RandomBytes(20 * MiB, 7));

        // socat half-closes after its stdin ends and waits (-t) for the echo to finish.
        string command = $"socat -t 60 -b 65536 STDIO TCP:10.0.0.2:7 < {input} > {echoed}";
        var watch = Stopwatch.StartNew();
        ProcessResult socat = lab.Bash(command, s_timeout);
        watch.Stop();
        output.WriteLine(socat.ToString());
        Assert.Equal(0, socat.ExitCode);

        Assert.Equal(Sha256(input), Sha256(echoed));
        string counters = stack.Stop();
        output.WriteLine(counters);
        Assert.Contains("tcp.PassiveOpens", counters, StringComparison.Ordinal);
        Record($"echo 20 MiB each way{(faults.Length > 0 ? $" with {faults}" : string.Empty)}: {2 * 20 * MiB * 8 / watch.Elapsed.TotalSeconds / 1e9:0.000} Gbit/s both directions together ({watch.Elapsed.TotalSeconds:0.00} s) [{command}]");
        if (faults.Length > 0)
        {
            // The faults really happened, and TCP repaired them.
            Assert.Matches(@"tcp\.SegmentsRetransmitted\s+[1-9]", counters);
        }
    }

    [Fact]
    public void Reading_100_MiB_from_chargen_gives_the_RFC_864_lines_and_a_rate()
    {
        using Lab lab = new();
        lab.StartStack();
        ProcessResult result = lab.TcpClient(s_timeout, "chargen", "10.0.0.2", (100 * MiB).ToString(CultureInfo.InvariantCulture));
        output.WriteLine(result.ToString());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("bad_chunks=0", result.Stdout, StringComparison.Ordinal);
        Record($"chargen: 100 MiB read by the kernel at {Field(result.Stdout, "gbps")} Gbit/s [python3 tests/TinyStack.Live.Tests/Tcp/tcpclient.py chargen 10.0.0.2 104857600]");
    }

    [Fact]
    public void Writing_100_MiB_to_discard_reports_a_rate()
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack();
        ProcessResult result = lab.TcpClient(s_timeout, "discard", "10.0.0.2", (100 * MiB).ToString(CultureInfo.InvariantCulture));
        output.WriteLine(result.ToString());
        Assert.Equal(0, result.ExitCode);
        Record($"discard: 100 MiB written by the kernel at {Field(result.Stdout, "gbps")} Gbit/s [python3 tests/TinyStack.Live.Tests/Tcp/tcpclient.py discard 10.0.0.2 104857600]");

        // Every byte arrived as TCP payload: 100 MiB plus headers.
        string counters = stack.Stop();
        long received = long.Parse(CounterRegex("BytesReceived").Match(counters).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(received > 100L * MiB, $"only {received} bytes received");
    }

    [Fact]
    public void Connect_moves_100_MiB_to_and_from_kernel_listeners_byte_exact()
    {
        using Lab lab = new(taps: 2);
        string source = Path.Combine(_dir, "source.bin");
        string downloaded = Path.Combine(_dir, "downloaded.bin");
        string uploaded = Path.Combine(_dir, "uploaded.bin");
        File.WriteAllBytes(source, RandomBytes(100 * MiB, 11));
        string tinystack = Repo.Script("tinystack");

        // Kernel to TinyStack: the kernel serves the file and closes; connect writes it to stdout.
        string download = $"socat -u OPEN:{source} TCP-LISTEN:5000,reuseaddr & sleep 0.3; "
            + $"timeout 120 {tinystack} connect --tap tap1 --ip 10.0.0.3/24 10.0.0.1 5000 < /dev/null > {downloaded}; code=$?; wait; exit $code";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ProcessResult down = lab.Bash(download, s_timeout);
        Record($"connect: 100 MiB kernel -> TinyStack in {watch.Elapsed.TotalSeconds:0.00} s including start-up [tinystack connect 10.0.0.1 5000 > file]");
        output.WriteLine(down.ToString());
        Assert.Equal(0, down.ExitCode);
        Assert.Equal(Sha256(source), Sha256(downloaded));
        Assert.Contains("tcp.ActiveOpens", down.Stderr, StringComparison.Ordinal);

        // TinyStack to kernel: connect sends stdin, half-closes, and exits when the kernel closes.
        string upload = $"socat -u TCP-LISTEN:5001,reuseaddr OPEN:{uploaded},creat,trunc & sleep 0.3; "
            + $"timeout 120 {tinystack} connect --tap tap1 --ip 10.0.0.3/24 10.0.0.1 5001 < {source}; code=$?; wait; exit $code";
        watch.Restart();
        ProcessResult up = lab.Bash(upload, s_timeout);
        Record($"connect: 100 MiB TinyStack -> kernel in {watch.Elapsed.TotalSeconds:0.00} s including start-up [tinystack connect 10.0.0.1 5001 < file]");
        output.WriteLine(up.ToString());
        Assert.Equal(0, up.ExitCode);
        Assert.Equal(Sha256(source), Sha256(uploaded));
    }

    [Fact]
    public void Connect_reports_a_refused_connection_in_one_line()
    {
        using Lab lab = new(taps: 2);
        ProcessResult refused = lab.Bash($"timeout 60 {Repo.Script("tinystack")} connect --tap tap1 --ip 10.0.0.3/24 --log warning 10.0.0.1 5999 < /dev/null", s_timeout);
        output.WriteLine(refused.ToString());
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("tinystack: connect 10.0.0.1:5999: Connection refused.", refused.Stderr.Trim());
    }

    [Fact]
    public void Ten_thousand_connections_in_a_row_leave_nothing_behind_and_TIME_WAIT_drains()
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", "--tcp-msl", "1s");
        ProcessResult cycles = lab.TcpClient(s_timeout, "cycles", "10.0.0.2", "10000", "150");
        output.WriteLine(cycles.ToString());
        Assert.Equal(0, cycles.ExitCode);
        Record($"10000 sequential connections (echo/daytime alternating): {Field(cycles.Stdout, "per_second")} per second [python3 tests/TinyStack.Live.Tests/Tcp/tcpclient.py cycles 10.0.0.2 10000 150]");

        // Right after: nothing outside TIME-WAIT (daytime closes first, so our side waits 2*MSL).
        int skip = stack.LineCount;
        stack.Signal("USR1");
        string after = stack.WaitForLine(l => l.StartsWith("tcp connections:", StringComparison.Ordinal), TimeSpan.FromSeconds(10), skip);
        output.WriteLine($"right after: {after}");
        Assert.Matches(@"^tcp connections: (0|(\d+) \(TIME-WAIT \2\))$", after);

        // 2*MSL = 2 s later TIME-WAIT has drained.
        Thread.Sleep(TimeSpan.FromSeconds(2.5));
        skip = stack.LineCount;
        stack.Signal("USR1");
        string drained = stack.WaitForLine(l => l.StartsWith("tcp connections:", StringComparison.Ordinal), TimeSpan.FromSeconds(10), skip);
        output.WriteLine($"2.5 s later: {drained}");
        Assert.Equal("tcp connections: 0", drained);

        string counters = stack.Stop();
        output.WriteLine(counters);
        Assert.Matches(@"tcp\.PassiveOpens\s+10000\b", counters);
    }

    [Fact]
    public void A_capture_of_an_echo_session_has_no_expert_errors_or_malformed_packets()
    {
        string capture = Path.Combine(_dir, "echo.pcapng");
        string input = Path.Combine(_dir, "in.bin");
        File.WriteAllBytes(input, RandomBytes(2 * MiB, 5));
        using (Lab lab = new())
        {
            StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", "--capture", capture);
            ProcessResult socat = lab.Bash($"socat -t 30 STDIO TCP:10.0.0.2:7 < {input} | sha256sum", s_timeout);
            Assert.Equal(0, socat.ExitCode);
            Assert.StartsWith(Sha256(input), socat.Stdout, StringComparison.Ordinal);
            Thread.Sleep(300); // let the last ACK of our FIN arrive before the capture ends
            stack.Stop();
        }

        ProcessResult expert = Shell.Run("tshark", ["-r", capture, "-q", "-z", "expert"], s_timeout);
        output.WriteLine(expert.ToString());
        Assert.Equal(0, expert.ExitCode);
        Assert.DoesNotContain("Errors (", expert.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Malformed", expert.Stdout, StringComparison.OrdinalIgnoreCase);

        // The session is all there: handshake, data both ways, both FINs.
        ProcessResult flags = Shell.Run("tshark", ["-r", capture, "-Y", "tcp.port == 7", "-T", "fields", "-e", "tcp.flags.str"], s_timeout);
        Assert.Contains("S", flags.Stdout, StringComparison.Ordinal);
        Assert.True(flags.Stdout.Split('\n').Count(l => l.Contains('F', StringComparison.Ordinal)) >= 2, "both FINs should be in the capture");
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static string Sha256(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
    }

    private static string Field(string text, string key) => Regex.Match(text, $@"\b{key}=(\S+)").Groups[1].Value;

    private static Regex CounterRegex(string name) => new($@"\b{name}\s+(\d+)");

    private void Record(string line)
    {
        output.WriteLine(line);
        Figures.Record(line);
    }
}
