using System.Globalization;
using System.Xml.Linq;
using TinyStack.Host.Tracing;
using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>The SVG picture of a trace: well-formed, self-contained, with the series and the event markers.</summary>
public class TraceSvgPlotTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    /// <summary>
    /// A synthetic 6-second trace: slow start, a loss with fast recovery, avoidance, a timeout with
    /// loss recovery, slow start again; one row every 10 ms.
    /// </summary>
    private static List<TcpTraceSample> Trace()
    {
        var rows = new List<TcpTraceSample>();
        uint cwnd = 14_600;
        uint ssthresh = uint.MaxValue;
        int retransmits = 0;
        for (int i = 0; i <= 600; i++)
        {
            TcpTraceEvent e = TcpTraceEvent.Ack;
            CongestionPhase phase = cwnd < ssthresh ? CongestionPhase.SlowStart : CongestionPhase.CongestionAvoidance;
            switch (i)
            {
                case 150:
                    e = TcpTraceEvent.LossDetected;
                    ssthresh = cwnd = cwnd * 7 / 10;
                    retransmits++;
                    break;
                case 400:
                    e = TcpTraceEvent.RetransmitTimeout;
                    ssthresh = cwnd * 7 / 10;
                    cwnd = 1460;
                    retransmits++;
                    break;
                case 170:
                case 420:
                    e = TcpTraceEvent.RecoveryExited;
                    break;
                default:
                    cwnd += cwnd < ssthresh ? 1460u : 730u;
                    break;
            }

            if (i is >= 150 and < 170)
            {
                phase = CongestionPhase.FastRecovery;
            }
            else if (i is >= 400 and < 420)
            {
                phase = CongestionPhase.LossRecovery;
            }

            rows.Add(new TcpTraceSample(
                Instant.FromMilliseconds(5_000 + (i * 10)), e, TcpState.Established, phase, cwnd, ssthresh, cwnd * 9 / 10,
                Duration.FromMilliseconds(20), Duration.FromMilliseconds(5), Duration.FromMilliseconds(220),
                new SeqNumber((uint)i * 1460), new SeqNumber((uint)i * 1460 * 2), 1 << 20, 1 << 18, retransmits));
        }

        return rows;
    }

    private static List<(double X, double Y)> Points(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ')
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();

    private static IEnumerable<XElement> WithClass(XDocument doc, string name, string cssClass) =>
        doc.Descendants(s_svg + name).Where(e => (string?)e.Attribute("class") == cssClass);

    [Fact]
    public void The_svg_is_well_formed_and_self_contained()
    {
        string svg = TraceSvgPlot.Render(Trace(), "cwnd of 10.0.0.2:80 <-> 10.0.0.1:49500 & friends");
        XDocument doc = XDocument.Parse(svg);
        Assert.Equal(s_svg + "svg", doc.Root!.Name);
        Assert.Equal("cwnd of 10.0.0.2:80 <-> 10.0.0.1:49500 & friends", doc.Root.Element(s_svg + "title")!.Value);

        // No scripts, no style sheets, no links or external references of any kind.
        Assert.DoesNotContain(doc.Descendants(), e => e.Name.LocalName is "script" or "style" or "a" or "image" or "foreignObject");
        Assert.DoesNotContain(doc.Descendants().Attributes(), a => a.Name.LocalName == "href" || a.Value.Contains("url(", StringComparison.Ordinal));
        Assert.DoesNotContain("http", svg.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(doc.Descendants().Attributes(), a => a.Name.LocalName.StartsWith("on", StringComparison.Ordinal));
    }

    [Fact]
    public void It_has_axes_with_units_a_legend_and_the_three_series()
    {
        XDocument doc = XDocument.Parse(TraceSvgPlot.Render(Trace(), "t"));
        string[] texts = doc.Descendants(s_svg + "text").Select(t => t.Value).ToArray();
        Assert.Contains("time (s)", texts);
        Assert.Contains("window (KiB)", texts);
        Assert.Contains("0", texts);
        Assert.Contains("6", texts);
        foreach (string label in new[] { "cwnd", "ssthresh", "bytes in flight", "loss detected", "retransmission timeout" })
        {
            Assert.Contains(label, texts);
        }

        Assert.Single(WithClass(doc, "polyline", "cwnd"));
        Assert.Single(WithClass(doc, "polyline", "in-flight"));
        Assert.Single(WithClass(doc, "polyline", "ssthresh"));
        Assert.Contains(texts, t => t.Contains("601 samples", StringComparison.Ordinal) && t.Contains("1 loss events, 1 timeouts", StringComparison.Ordinal));
    }

    [Fact]
    public void The_series_follow_the_data()
    {
        List<TcpTraceSample> trace = Trace();
        XDocument doc = XDocument.Parse(TraceSvgPlot.Render(trace, "t"));
        List<(double X, double Y)> cwnd = Points(WithClass(doc, "polyline", "cwnd").Single());

        // The highest point of the cwnd line (smallest y) is where cwnd peaks: just before the timeout at 4 s of 6.
        int peak = trace.FindIndex(s => s.Cwnd == trace.Max(r => r.Cwnd));
        Assert.Equal(399, peak);
        double peakX = cwnd.MinBy(p => p.Y).X;
        double left = cwnd.Min(p => p.X);
        double right = cwnd.Max(p => p.X);
        Assert.InRange((peakX - left) / (right - left), 0.64, 0.68);

        // ssthresh is infinite until the loss at 1.5 s: its line starts there.
        double ssthreshStart = Points(WithClass(doc, "polyline", "ssthresh").Single()).Min(p => p.X);
        Assert.InRange((ssthreshStart - left) / (right - left), 0.23, 0.27);

        // The whole line stays inside the plot area, drawn top-down from the data's extremes.
        Assert.All(cwnd, p => Assert.InRange(p.Y, 60, 560));
    }

    [Fact]
    public void Losses_and_timeouts_are_marked_and_recoveries_shaded()
    {
        List<TcpTraceSample> trace = Trace();
        XDocument doc = XDocument.Parse(TraceSvgPlot.Render(trace, "t"));
        Assert.Equal(trace.Count(s => s.Event == TcpTraceEvent.LossDetected), WithClass(doc, "polygon", "event loss").Count());
        Assert.Equal(trace.Count(s => s.Event == TcpTraceEvent.RetransmitTimeout), WithClass(doc, "path", "event rto").Count());
        XElement recovery = doc.Descendants(s_svg + "g").Single(g => (string?)g.Attribute("class") == "recovery");
        Assert.Equal(2, recovery.Elements(s_svg + "rect").Count());
    }

    [Fact]
    public void A_long_trace_draws_a_bounded_number_of_points()
    {
        var rows = new List<TcpTraceSample>();
        for (int i = 0; i < 200_000; i++)
        {
            rows.Add(new TcpTraceSample(Instant.FromMilliseconds(i), TcpTraceEvent.Ack, TcpState.Established, CongestionPhase.CongestionAvoidance,
                (uint)(20_000 + (i % 977 * 100)), 30_000, 10_000, default, default, default, default, default, 0, 0, 0));
        }

        XDocument doc = XDocument.Parse(TraceSvgPlot.Render(rows, "long"));
        List<(double X, double Y)> cwnd = Points(WithClass(doc, "polyline", "cwnd").Single());
        Assert.InRange(cwnd.Count, 100, 5 * 1000);

        // The extremes survive the reduction: the line spans the full range of values.
        double span = cwnd.Max(p => p.Y) - cwnd.Min(p => p.Y);
        Assert.True(span > 200, $"span {span}");
    }

    [Fact]
    public void An_empty_trace_still_draws_a_valid_picture()
    {
        XDocument doc = XDocument.Parse(TraceSvgPlot.Render([], "empty"));
        Assert.Contains("empty trace", doc.Descendants(s_svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void A_csv_file_becomes_an_svg_file()
    {
        string dir = Directory.CreateTempSubdirectory("tinystack-plot-").FullName;
        try
        {
            var trace = new TcpTrace(1024);
            foreach (TcpTraceSample s in Trace())
            {
                trace.Record(s);
            }

            string csv = Path.Combine(dir, "trace.csv");
            using (var writer = new StreamWriter(csv))
            {
                TcpTraceCsv.Write(trace, writer);
            }

            string svg = Path.Combine(dir, "cwnd.svg");
            TraceSvgPlot.WriteFile(csv, svg);
            XDocument doc = XDocument.Load(svg);
            Assert.Equal("TCP congestion window: trace.csv", doc.Root!.Element(s_svg + "title")!.Value);
            Assert.Single(WithClass(doc, "polygon", "event loss"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
