using System.Globalization;
using System.Xml.Linq;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Tcp;

/// <summary>
/// <c>--cc</c> and <c>--trace-dir</c> end to end: TinyStack sends chargen data to the kernel through
/// a lossy link, writes the connection's congestion trace as CSV, and <c>tinystack plot</c> draws it.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class CongestionTraceTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    private readonly string _dir = Directory.CreateTempSubdirectory("ts-live-cc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("cubic", 7, 10)]
    [InlineData("newreno", 1, 2)]
    public void A_lossy_transfer_leaves_a_trace_whose_losses_reduce_by_the_algorithms_beta(string algorithm, int betaNumerator, int betaDenominator)
    {
        string traces = Path.Combine(_dir, algorithm);
        using (Lab lab = new())
        {
            StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", "--cc", algorithm, "--trace-dir", traces, "--drop", "0.01", "--delay", "2ms", "--seed", "5");
            ProcessResult result = lab.TcpClient(s_timeout, "chargen", "10.0.0.2", (8 * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
            output.WriteLine(result.ToString());
            Assert.Equal(0, result.ExitCode);
            output.WriteLine(stack.Stop());
        }

        // One file per connection, named after it and its algorithm; written at the latest on exit.
        string csv = Assert.Single(Directory.GetFiles(traces, "*.csv"));
        Assert.Contains("0001-10.0.0.2_19-10.0.0.1_", csv, StringComparison.Ordinal);
        Assert.EndsWith($"-{algorithm}.csv", csv, StringComparison.Ordinal);

        string[] lines = File.ReadAllLines(csv);
        string[] header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        List<string[]> rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        List<string[]> losses = rows.Where(r => r[Column("event")] == "loss").ToList();
        Assert.NotEmpty(losses);
        Assert.Contains(rows, r => r[Column("event")] == "recovery_exit");
        Assert.True(rows.Count > 1000, $"only {rows.Count} rows");
        foreach (string[] loss in losses)
        {
            // ssthresh = max(beta * FlightSize, 2 segments), FlightSize = SND.NXT - SND.UNA (modulo 2^32)
            // without the bytes limited transmit sent on the duplicate ACKs before it (RFC 3042 §2,
            // RFC 5681 §3.2 step 2), which the loss row carries.
            uint flight = unchecked(uint.Parse(loss[Column("snd_nxt")], CultureInfo.InvariantCulture) - uint.Parse(loss[Column("snd_una")], CultureInfo.InvariantCulture));
            flight -= Math.Min(flight, uint.Parse(loss[Column("limited_transmit")], CultureInfo.InvariantCulture));
            uint ssthresh = uint.Parse(loss[Column("ssthresh")], CultureInfo.InvariantCulture);
            uint expected = (uint)((ulong)flight * (ulong)betaNumerator / (ulong)betaDenominator);
            Assert.True(ssthresh == expected || (ssthresh > expected && ssthresh <= 2 * 1460), $"ssthresh {ssthresh} after a loss with {flight} bytes in flight");
        }

        // The SRTT column holds real measurements: a few milliseconds over the 2 ms delay.
        double srttMs = rows.Select(r => long.Parse(r[Column("srtt_us")], CultureInfo.InvariantCulture)).Where(v => v > 0).Average() / 1000;
        Assert.InRange(srttMs, 2, 100);

        // And tinystack plot turns it into an SVG with the loss markers.
        string svg = Path.Combine(_dir, algorithm + ".svg");
        ProcessResult plot = Shell.Run(Repo.Script("tinystack"), ["plot", csv, "-o", svg], TimeSpan.FromMinutes(2));
        output.WriteLine(plot.ToString());
        Assert.Equal(0, plot.ExitCode);
        XDocument doc = XDocument.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(losses.Count, doc.Descendants(ns + "polygon").Count(e => (string?)e.Attribute("class") == "event loss"));
    }
}
