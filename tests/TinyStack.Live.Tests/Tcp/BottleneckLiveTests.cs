using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Tcp;

/// <summary>
/// A download from TinyStack to the kernel through a real bottleneck: <c>--rate 200mbit</c> with a
/// drop-tail queue of about one bandwidth-delay product and no random loss. Every loss is the queue
/// overflowing, so the congestion window draws the sawtooth; the picture is kept in out/.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed partial class BottleneckLiveTests(ITestOutputHelper output) : IDisposable
{
    private const int Bytes = 50 * 1024 * 1024;

    // 200 Mbit/s x 2 ms round trip (1 ms each way) = 50 kB, about 34 full frames.
    private const string Rate = "200mbit";
    private const string Delay = "1ms";
    private const string QueueFrames = "34";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    private readonly string _dir = Directory.CreateTempSubdirectory("ts-live-bottleneck-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_download_through_a_200_mbit_bottleneck_is_byte_exact_and_its_cwnd_draws_a_sawtooth()
    {
        string traces = Path.Combine(_dir, "traces");
        string[] args = ["--rate", Rate, "--queue", QueueFrames, "--delay", Delay, "--cc", "cubic", "--trace-dir", traces];
        ProcessResult download;
        string counters;
        using (Lab lab = new())
        {
            StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", args);
            download = lab.TcpClient(s_timeout, "chargen", "10.0.0.2", Bytes.ToString(CultureInfo.InvariantCulture));
            output.WriteLine(download.ToString());
            counters = stack.Stop();
            output.WriteLine(counters);
        }

        // tcpclient.py checked every byte against the RFC 864 pattern and the length.
        Assert.Equal(0, download.ExitCode);
        Assert.Contains($"bytes={Bytes} ", download.Stdout, StringComparison.Ordinal);
        Assert.Contains("bad_chunks=0", download.Stdout, StringComparison.Ordinal);

        // The losses were the queue's: frames dropped at the tail, none at random.
        Match outbound = OutboundFaults().Match(counters);
        Assert.True(outbound.Success, "no fault injector summary for the outbound direction");
        Assert.Equal("0", outbound.Groups["dropped"].Value);
        int queueDrops = int.Parse(outbound.Groups["queue"].Value, CultureInfo.InvariantCulture);
        Assert.True(queueDrops > 0, "the bottleneck queue never overflowed");
        double gbps = double.Parse(Field(download.Stdout, "gbps"), CultureInfo.InvariantCulture);
        Assert.True(gbps <= 0.2 * 1.05, $"{gbps} Gbit/s through a 200 Mbit/s bottleneck");

        // The sawtooth: several losses, each followed by cwnd growing again past its post-loss value
        // before the next loss (the loss row holds the reduced cwnd).
        string csv = Assert.Single(Directory.GetFiles(traces, "*.csv"));
        string[] lines = File.ReadAllLines(csv);
        string[] header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        int eventColumn = Column("event");
        int cwndColumn = Column("cwnd");
        int timeColumn = Column("time_s");
        List<string[]> rows = [.. lines.Skip(1).Select(l => l.Split(','))];
        List<int> losses = [.. Enumerable.Range(0, rows.Count).Where(i => rows[i][eventColumn] == "loss")];
        int teeth = 0;
        for (int k = 0; k < losses.Count; k++)
        {
            int end = k + 1 < losses.Count ? losses[k + 1] : rows.Count;
            uint after = uint.Parse(rows[losses[k]][cwndColumn], CultureInfo.InvariantCulture);
            uint peak = rows[losses[k]..end].Max(r => uint.Parse(r[cwndColumn], CultureInfo.InvariantCulture));
            if (peak > after + 1460)
            {
                teeth++;
            }
        }

        double lastLoss = double.Parse(rows[losses[^1]][timeColumn], CultureInfo.InvariantCulture);
        double duration = double.Parse(rows[^1][timeColumn], CultureInfo.InvariantCulture);
        output.WriteLine($"{losses.Count} loss events, {teeth} followed by regrowth; last loss at {lastLoss:0.00} s of {duration:0.00} s");
        Assert.True(teeth >= 8, $"only {teeth} of {losses.Count} losses were followed by regrowth");
        Assert.True(teeth * 2 >= losses.Count, $"only {teeth} of {losses.Count} losses were followed by regrowth");
        Assert.True(lastLoss > duration / 2, "the losses stopped half-way: no steady sawtooth");

        // The picture, kept as an artifact of the run.
        string outDir = Path.Combine(Repo.Root, "out");
        Directory.CreateDirectory(outDir);
        string svg = Path.Combine(outDir, "cwnd-bottleneck-cubic.svg");
        ProcessResult plot = Shell.Run(Repo.Script("tinystack"), ["plot", csv, "-o", svg], TimeSpan.FromMinutes(2));
        output.WriteLine(plot.ToString());
        Assert.Equal(0, plot.ExitCode);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(losses.Count, XDocument.Load(svg).Descendants(ns + "polygon").Count(e => (string?)e.Attribute("class") == "event loss"));

        Figures.Record($"bottleneck: 50 MiB chargen through --rate {Rate} --queue {QueueFrames} --delay {Delay} (cubic) at {gbps:0.000} Gbit/s, "
            + $"{losses.Count} loss events ({teeth} sawtooth teeth), {queueDrops} queue drops; picture out/cwnd-bottleneck-cubic.svg");
    }

    private static string Field(string text, string name) => Regex.Match(text, $@"\b{name}=(\S+)").Groups[1].Value;

    [GeneratedRegex(@"out: frames=\d+ delivered=\d+ dropped=(?<dropped>\d+) .*?queue-drops=(?<queue>\d+)")]
    private static partial Regex OutboundFaults();
}
