using System.Globalization;
using TinyStack.Tcp.Congestion;
using TinyStack.Time;

namespace TinyStack.Tcp.Tracing;

/// <summary>
/// A <see cref="TcpTrace"/> as CSV: one header line, then one row per sample, oldest first.
/// Times are in seconds since the first row (<c>time_s</c>) and in the stack's microseconds
/// (<c>time_us</c>); windows in bytes; durations in microseconds; an infinite ssthresh is empty.
/// <c>limited_transmit</c> is the bytes sent by RFC 3042 limited transmit that FlightSize leaves out
/// (RFC 5681 §3.2), so a <c>loss</c> row's ssthresh is beta x (snd_nxt - snd_una - limited_transmit).
/// The <c>event</c> column says why the row exists: <c>ack</c> for the sample taken after each
/// segment, or <c>loss</c>, <c>rto</c>, <c>recovery_exit</c>, <c>idle_restart</c>, <c>state</c>.
/// </summary>
public static class TcpTraceCsv
{
    /// <summary>The header line, naming the columns in order.</summary>
    public const string Header = "time_s,time_us,event,state,phase,cwnd,ssthresh,in_flight,srtt_us,rttvar_us,rto_us,snd_una,snd_nxt,snd_wnd,rcv_wnd,retransmits,limited_transmit";

    private const int ColumnCount = 17;

    private static readonly string[] s_eventNames = ["ack", "loss", "rto", "recovery_exit", "idle_restart", "state"];

    private static readonly string[] s_stateNames =
        ["CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"];

    private static readonly string[] s_phaseNames = ["slow_start", "css", "avoidance", "fast_recovery", "loss_recovery"];

    /// <summary>The CSV name of an event (<c>loss</c>, <c>rto</c>, ...).</summary>
    public static string EventName(TcpTraceEvent value) => s_eventNames[(int)value];

    /// <summary>The RFC 9293 name of a state (<c>ESTABLISHED</c>, <c>TIME-WAIT</c>, ...).</summary>
    public static string StateName(TcpState value) => s_stateNames[(int)value];

    /// <summary>The CSV name of a phase (<c>slow_start</c>, <c>css</c>, <c>avoidance</c>, ...).</summary>
    public static string PhaseName(CongestionPhase value) => s_phaseNames[(int)value];

    /// <summary>Writes the header and every held row of <paramref name="trace"/>.</summary>
    public static void Write(TcpTrace trace, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(trace);
        Write(trace.ToArray(), writer);
    }

    /// <summary>Writes the header and <paramref name="rows"/> (oldest first).</summary>
    public static void Write(IReadOnlyList<TcpTraceSample> rows, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Header);
        writer.Write('\n');
        Instant origin = rows.Count > 0 ? rows[0].Time : Instant.Zero;
        for (int i = 0; i < rows.Count; i++)
        {
            writer.Write(FormatRow(rows[i], origin));
            writer.Write('\n');
        }
    }

    /// <summary>One row, with <c>time_s</c> counted from <paramref name="origin"/>.</summary>
    public static string FormatRow(in TcpTraceSample s, Instant origin)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return string.Join(',',
            ((s.Time - origin).Microseconds / 1e6).ToString("0.000000", c),
            s.Time.Microseconds.ToString(c),
            EventName(s.Event),
            StateName(s.State),
            PhaseName(s.Phase),
            s.Cwnd.ToString(c),
            s.Ssthresh == uint.MaxValue ? string.Empty : s.Ssthresh.ToString(c),
            s.BytesInFlight.ToString(c),
            s.Srtt.Microseconds.ToString(c),
            s.RttVar.Microseconds.ToString(c),
            s.Rto.Microseconds.ToString(c),
            s.SndUna.Value.ToString(c),
            s.SndNxt.Value.ToString(c),
            s.SndWnd.ToString(c),
            s.RcvWnd.ToString(c),
            s.Retransmits.ToString(c),
            s.LimitedTransmit.ToString(c));
    }

    /// <summary>
    /// Reads a CSV written by <see cref="Write"/> back into samples. Throws
    /// <see cref="InvalidDataException"/> naming the line when the text is not such a CSV.
    /// </summary>
    public static List<TcpTraceSample> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? header = reader.ReadLine();
        if (header is null || header.Trim() != Header)
        {
            throw new InvalidDataException($"Not a TinyStack TCP trace: the first line must be \"{Header}\".");
        }

        List<TcpTraceSample> samples = [];
        int lineNumber = 1;
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (!TryParseRow(line, out TcpTraceSample sample))
            {
                throw new InvalidDataException($"Line {lineNumber} of the TCP trace is malformed: \"{Truncate(line)}\".");
            }

            samples.Add(sample);
        }

        return samples;
    }

    /// <summary>Parses one data row; false when a field is missing or malformed.</summary>
    public static bool TryParseRow(string line, out TcpTraceSample sample)
    {
        sample = default;
        string[] f = line.Split(',');
        if (f.Length != ColumnCount)
        {
            return false;
        }

        CultureInfo c = CultureInfo.InvariantCulture;
        const NumberStyles Integer = NumberStyles.Integer;
        int eventIndex = Array.IndexOf(s_eventNames, f[2]);
        int stateIndex = Array.IndexOf(s_stateNames, f[3]);
        int phaseIndex = Array.IndexOf(s_phaseNames, f[4]);
        uint ssthresh = uint.MaxValue;
        if (eventIndex < 0 || stateIndex < 0 || phaseIndex < 0
            || !long.TryParse(f[1], Integer, c, out long time)
            || !uint.TryParse(f[5], Integer, c, out uint cwnd)
            || (f[6].Length > 0 && !uint.TryParse(f[6], Integer, c, out ssthresh))
            || !uint.TryParse(f[7], Integer, c, out uint inFlight)
            || !long.TryParse(f[8], Integer, c, out long srtt)
            || !long.TryParse(f[9], Integer, c, out long rttVar)
            || !long.TryParse(f[10], Integer, c, out long rto)
            || !uint.TryParse(f[11], Integer, c, out uint sndUna)
            || !uint.TryParse(f[12], Integer, c, out uint sndNxt)
            || !uint.TryParse(f[13], Integer, c, out uint sndWnd)
            || !uint.TryParse(f[14], Integer, c, out uint rcvWnd)
            || !int.TryParse(f[15], Integer, c, out int retransmits)
            || !uint.TryParse(f[16], Integer, c, out uint limitedTransmit))
        {
            return false;
        }

        sample = new TcpTraceSample(
            new Instant(time), (TcpTraceEvent)eventIndex, (TcpState)stateIndex, (CongestionPhase)phaseIndex,
            cwnd, ssthresh, inFlight,
            Duration.FromMicroseconds(srtt), Duration.FromMicroseconds(rttVar), Duration.FromMicroseconds(rto),
            new SeqNumber(sndUna), new SeqNumber(sndNxt), sndWnd, rcvWnd, retransmits, limitedTransmit);
        return true;
    }

    private static string Truncate(string line) => line.Length <= 80 ? line : line[..80] + "...";
}
