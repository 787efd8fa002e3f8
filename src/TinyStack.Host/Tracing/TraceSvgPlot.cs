using System.Globalization;
using System.Text;
using System.Xml;
using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;

namespace TinyStack.Host.Tracing;

/// <summary>
/// Draws a congestion trace (<see cref="TcpTraceCsv"/>) as a self-contained SVG picture: cwnd,
/// ssthresh and bytes in flight over time as step lines, recovery periods shaded, losses and
/// retransmission timeouts marked, with axes, ticks, units, a legend and a title. The file has no
/// scripts, styles sheets or links, so any browser or viewer shows it as it is.
/// </summary>
public static class TraceSvgPlot
{
    private const string SvgNamespace = "http://www.w3.org/2000/svg";
    private const double Width = 1100;
    private const double Height = 620;
    private const double Left = 90;
    private const double Right = 880;
    private const double Top = 70;
    private const double Bottom = 550;
    private const string CwndColor = "#1f77b4";
    private const string SsthreshColor = "#ff7f0e";
    private const string InFlightColor = "#98df8a";
    private const string LossColor = "#d62728";
    private const string RtoColor = "#9467bd";
    private const string FastRecoveryFill = "#fbe3e1";
    private const string LossRecoveryFill = "#ece2f6";

    /// <summary>Reads the CSV at <paramref name="csvPath"/> and writes the SVG to <paramref name="svgPath"/>.</summary>
    public static void WriteFile(string csvPath, string svgPath, string? title = null)
    {
        List<TcpTraceSample> samples;
        using (var reader = new StreamReader(csvPath))
        {
            samples = TcpTraceCsv.Read(reader);
        }

        using var writer = new StreamWriter(svgPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(samples, writer, title ?? $"TCP congestion window: {Path.GetFileName(csvPath)}");
    }

    /// <summary>The SVG text for <paramref name="samples"/>.</summary>
    public static string Render(IReadOnlyList<TcpTraceSample> samples, string title)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        Write(samples, text, title);
        return text.ToString();
    }

    /// <summary>Writes the SVG for <paramref name="samples"/> (oldest first) to <paramref name="output"/>.</summary>
    public static void Write(IReadOnlyList<TcpTraceSample> samples, TextWriter output, string title)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(output);
        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = true };
        using XmlWriter xml = XmlWriter.Create(output, settings);

        long origin = samples.Count > 0 ? samples[0].Time.Microseconds : 0;
        double duration = samples.Count > 0 ? (samples[^1].Time.Microseconds - origin) / 1e6 : 0;
        bool milliseconds = duration < 1;
        double timeScale = milliseconds ? 1e3 : 1;
        double maxBytes = 0;
        foreach (TcpTraceSample s in samples)
        {
            maxBytes = Math.Max(maxBytes, Math.Max(s.Cwnd, s.BytesInFlight));
            if (s.Ssthresh != uint.MaxValue)
            {
                maxBytes = Math.Max(maxBytes, s.Ssthresh);
            }
        }

        (double byteScale, string byteUnit) = maxBytes >= 10 * 1024 * 1024 ? (1024.0 * 1024, "MiB")
            : maxBytes >= 10 * 1024 ? (1024.0, "KiB")
            : (1.0, "bytes");
        var x = new PlotAxis(duration * timeScale, Left, Right, 10);
        var y = new PlotAxis(maxBytes * 1.05 / byteScale, Bottom, Top, 8);
        double X(TcpTraceSample s) => x.ToPixel((s.Time.Microseconds - origin) / 1e6 * timeScale);
        double Y(double bytes) => y.ToPixel(bytes / byteScale);

        xml.WriteStartElement("svg", SvgNamespace);
        xml.WriteAttributeString("width", Format(Width));
        xml.WriteAttributeString("height", Format(Height));
        xml.WriteAttributeString("viewBox", $"0 0 {Format(Width)} {Format(Height)}");
        xml.WriteAttributeString("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif");
        xml.WriteAttributeString("font-size", "13");
        xml.WriteElementString("title", SvgNamespace, title);
        Rect(xml, 0, 0, Width, Height, "white", null);

        // Title and a one-line summary.
        Text(xml, Width / 2, 28, title, "middle", size: 18, weight: "bold");
        Text(xml, Width / 2, 50, Summary(samples, duration), "middle", size: 12, color: "#555");

        // Recovery periods as shaded bands, behind everything else.
        xml.WriteStartElement("g", SvgNamespace);
        xml.WriteAttributeString("class", "recovery");
        for (int i = 0; i < samples.Count; i++)
        {
            CongestionPhase phase = samples[i].Phase;
            if (phase is not (CongestionPhase.FastRecovery or CongestionPhase.LossRecovery))
            {
                continue;
            }

            int end = i;
            while (end + 1 < samples.Count && samples[end + 1].Phase == phase)
            {
                end++;
            }

            double x0 = X(samples[i]);
            double x1 = end + 1 < samples.Count ? X(samples[end + 1]) : X(samples[end]);
            Rect(xml, x0, Top, Math.Max(1, x1 - x0), Bottom - Top, phase == CongestionPhase.FastRecovery ? FastRecoveryFill : LossRecoveryFill, null);
            i = end;
        }

        xml.WriteEndElement();

        // Grid, ticks and labels.
        xml.WriteStartElement("g", SvgNamespace);
        xml.WriteAttributeString("class", "axes");
        foreach (double tick in x.Ticks)
        {
            double px = x.ToPixel(tick);
            Line(xml, px, Top, px, Bottom, "#e6e6e6", 1, null);
            Line(xml, px, Bottom, px, Bottom + 6, "#333", 1, null);
            Text(xml, px, Bottom + 22, x.Label(tick), "middle");
        }

        foreach (double tick in y.Ticks)
        {
            double py = y.ToPixel(tick);
            Line(xml, Left, py, Right, py, "#e6e6e6", 1, null);
            Line(xml, Left - 6, py, Left, py, "#333", 1, null);
            Text(xml, Left - 10, py + 4, y.Label(tick), "end");
        }

        Line(xml, Left, Bottom, Right, Bottom, "#333", 1.5, null);
        Line(xml, Left, Top, Left, Bottom, "#333", 1.5, null);
        Text(xml, (Left + Right) / 2, Bottom + 50, milliseconds ? "time (ms)" : "time (s)", "middle", size: 14);
        xml.WriteStartElement("text", SvgNamespace);
        xml.WriteAttributeString("x", "0");
        xml.WriteAttributeString("y", "0");
        xml.WriteAttributeString("text-anchor", "middle");
        xml.WriteAttributeString("font-size", "14");
        xml.WriteAttributeString("transform", $"translate({Format(28)},{Format((Top + Bottom) / 2)}) rotate(-90)");
        xml.WriteString($"window ({byteUnit})");
        xml.WriteEndElement();
        xml.WriteEndElement();

        // The three series as step lines (a value holds until the next sample).
        // In flight is usually just under cwnd: a wide light line under a narrow dark one keeps both visible.
        Series(xml, samples, "in-flight", InFlightColor, 3.5, null, X, s => s.BytesInFlight, Y);
        Series(xml, samples, "ssthresh", SsthreshColor, 1.8, "6 4", X, s => s.Ssthresh == uint.MaxValue ? double.NaN : s.Ssthresh, Y);
        Series(xml, samples, "cwnd", CwndColor, 1.6, null, X, s => s.Cwnd, Y);

        // Events: a triangle on the top edge for each loss, a cross for each timeout, with a faint line down.
        xml.WriteStartElement("g", SvgNamespace);
        xml.WriteAttributeString("class", "events");
        foreach (TcpTraceSample s in samples)
        {
            double px = X(s);
            if (s.Event == TcpTraceEvent.LossDetected)
            {
                Line(xml, px, Top, px, Bottom, LossColor, 0.5, "2 4");
                Polygon(xml, $"{Format(px - 5)},{Format(Top - 10)} {Format(px + 5)},{Format(Top - 10)} {Format(px)},{Format(Top - 1)}", LossColor, "event loss");
            }
            else if (s.Event == TcpTraceEvent.RetransmitTimeout)
            {
                Line(xml, px, Top, px, Bottom, RtoColor, 0.9, "5 3");
                Cross(xml, px, Top - 6, 5, RtoColor, "event rto");
            }
        }

        xml.WriteEndElement();
        Legend(xml);
        xml.WriteEndElement();
        xml.Flush();
    }

    private static string Summary(IReadOnlyList<TcpTraceSample> samples, double duration)
    {
        if (samples.Count == 0)
        {
            return "empty trace";
        }

        int losses = 0;
        int timeouts = 0;
        uint maxCwnd = 0;
        foreach (TcpTraceSample s in samples)
        {
            losses += s.Event == TcpTraceEvent.LossDetected ? 1 : 0;
            timeouts += s.Event == TcpTraceEvent.RetransmitTimeout ? 1 : 0;
            maxCwnd = Math.Max(maxCwnd, s.Cwnd);
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{samples.Count} samples over {duration:0.###} s; max cwnd {maxCwnd} bytes; {losses} loss events, {timeouts} timeouts, {samples[^1].Retransmits} retransmitted segments");
    }

    private static void Series(
        XmlWriter xml, IReadOnlyList<TcpTraceSample> samples, string name, string color, double width, string? dash,
        Func<TcpTraceSample, double> x, Func<TcpTraceSample, double> value, Func<double, double> y)
    {
        xml.WriteStartElement("g", SvgNamespace);
        xml.WriteAttributeString("class", "series " + name);
        var points = new StringBuilder();
        int pointCount = 0;
        double lastY = double.NaN;

        // One pixel column at a time: the step into it, then its first, lowest, highest and last
        // values; so a trace of any length draws as at most five points per column.
        int i = 0;
        while (i < samples.Count)
        {
            double column = Math.Floor(x(samples[i]));
            double first = value(samples[i]);
            if (double.IsNaN(first))
            {
                Flush(xml, points, ref pointCount, name, color, width, dash);
                lastY = double.NaN;
                i++;
                continue;
            }

            double min = first;
            double max = first;
            double last = first;
            int j = i + 1;
            while (j < samples.Count && Math.Floor(x(samples[j])) == column && !double.IsNaN(value(samples[j])))
            {
                double v = value(samples[j]);
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                last = v;
                j++;
            }

            if (!double.IsNaN(lastY))
            {
                Add(points, ref pointCount, column, lastY);
            }

            Add(points, ref pointCount, column, y(first));
            Add(points, ref pointCount, column, y(min));
            Add(points, ref pointCount, column, y(max));
            Add(points, ref pointCount, column, y(last));
            lastY = y(last);
            i = j;
        }

        if (pointCount > 0 && samples.Count > 0)
        {
            // Hold the last value to the right edge of the data.
            Add(points, ref pointCount, Math.Floor(x(samples[^1])) + 1, lastY);
        }

        Flush(xml, points, ref pointCount, name, color, width, dash);
        xml.WriteEndElement();
    }

    private static void Add(StringBuilder points, ref int count, double px, double py)
    {
        if (points.Length > 0)
        {
            points.Append(' ');
        }

        points.Append(Format(px)).Append(',').Append(Format(py));
        count++;
    }

    private static void Flush(XmlWriter xml, StringBuilder points, ref int count, string name, string color, double width, string? dash)
    {
        if (count > 0)
        {
            xml.WriteStartElement("polyline", SvgNamespace);
            xml.WriteAttributeString("class", name);
            xml.WriteAttributeString("fill", "none");
            xml.WriteAttributeString("stroke", color);
            xml.WriteAttributeString("stroke-width", Format(width));
            xml.WriteAttributeString("stroke-linejoin", "round");
            if (dash is not null)
            {
                xml.WriteAttributeString("stroke-dasharray", dash);
            }

            xml.WriteAttributeString("points", points.ToString());
            xml.WriteEndElement();
        }

        points.Clear();
        count = 0;
    }

    private static void Legend(XmlWriter xml)
    {
        const double X0 = Right + 25;
        double y0 = Top + 10;
        xml.WriteStartElement("g", SvgNamespace);
        xml.WriteAttributeString("class", "legend");
        Rect(xml, X0 - 10, y0 - 18, 200, 200, "white", "#bbb");
        (string Label, string Color, double Width, string? Dash)[] lines =
        [
            ("cwnd", CwndColor, 1.6, null),
            ("ssthresh", SsthreshColor, 1.8, "6 4"),
            ("bytes in flight", InFlightColor, 3.5, null),
        ];
        foreach ((string label, string color, double width, string? dash) in lines)
        {
            Line(xml, X0, y0, X0 + 30, y0, color, width, dash);
            Text(xml, X0 + 40, y0 + 4, label, "start");
            y0 += 24;
        }

        Polygon(xml, $"{Format(X0 + 10)},{Format(y0 - 5)} {Format(X0 + 20)},{Format(y0 - 5)} {Format(X0 + 15)},{Format(y0 + 4)}", LossColor, null);
        Text(xml, X0 + 40, y0 + 4, "loss detected", "start");
        y0 += 24;
        Cross(xml, X0 + 15, y0, 5, RtoColor, null);
        Text(xml, X0 + 40, y0 + 4, "retransmission timeout", "start");
        y0 += 24;
        Rect(xml, X0, y0 - 7, 30, 14, FastRecoveryFill, null);
        Text(xml, X0 + 40, y0 + 4, "fast recovery", "start");
        y0 += 24;
        Rect(xml, X0, y0 - 7, 30, 14, LossRecoveryFill, null);
        Text(xml, X0 + 40, y0 + 4, "recovery after timeout", "start");
        xml.WriteEndElement();
    }

    private static void Rect(XmlWriter xml, double x, double y, double width, double height, string fill, string? stroke)
    {
        xml.WriteStartElement("rect", SvgNamespace);
        xml.WriteAttributeString("x", Format(x));
        xml.WriteAttributeString("y", Format(y));
        xml.WriteAttributeString("width", Format(width));
        xml.WriteAttributeString("height", Format(height));
        xml.WriteAttributeString("fill", fill);
        if (stroke is not null)
        {
            xml.WriteAttributeString("stroke", stroke);
        }

        xml.WriteEndElement();
    }

    private static void Line(XmlWriter xml, double x1, double y1, double x2, double y2, string color, double width, string? dash)
    {
        xml.WriteStartElement("line", SvgNamespace);
        xml.WriteAttributeString("x1", Format(x1));
        xml.WriteAttributeString("y1", Format(y1));
        xml.WriteAttributeString("x2", Format(x2));
        xml.WriteAttributeString("y2", Format(y2));
        xml.WriteAttributeString("stroke", color);
        xml.WriteAttributeString("stroke-width", Format(width));
        if (dash is not null)
        {
            xml.WriteAttributeString("stroke-dasharray", dash);
        }

        xml.WriteEndElement();
    }

    private static void Polygon(XmlWriter xml, string points, string fill, string? cssClass)
    {
        xml.WriteStartElement("polygon", SvgNamespace);
        if (cssClass is not null)
        {
            xml.WriteAttributeString("class", cssClass);
        }

        xml.WriteAttributeString("points", points);
        xml.WriteAttributeString("fill", fill);
        xml.WriteEndElement();
    }

    private static void Cross(XmlWriter xml, double cx, double cy, double r, string color, string? cssClass)
    {
        xml.WriteStartElement("path", SvgNamespace);
        if (cssClass is not null)
        {
            xml.WriteAttributeString("class", cssClass);
        }

        xml.WriteAttributeString("d", $"M{Format(cx - r)},{Format(cy - r)} L{Format(cx + r)},{Format(cy + r)} M{Format(cx - r)},{Format(cy + r)} L{Format(cx + r)},{Format(cy - r)}");
        xml.WriteAttributeString("stroke", color);
        xml.WriteAttributeString("stroke-width", "2.5");
        xml.WriteEndElement();
    }

    private static void Text(XmlWriter xml, double x, double y, string text, string anchor, double size = 13, string? weight = null, string? color = null)
    {
        xml.WriteStartElement("text", SvgNamespace);
        xml.WriteAttributeString("x", Format(x));
        xml.WriteAttributeString("y", Format(y));
        xml.WriteAttributeString("text-anchor", anchor);
        xml.WriteAttributeString("font-size", Format(size));
        if (weight is not null)
        {
            xml.WriteAttributeString("font-weight", weight);
        }

        if (color is not null)
        {
            xml.WriteAttributeString("fill", color);
        }

        xml.WriteString(text);
        xml.WriteEndElement();
    }

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
