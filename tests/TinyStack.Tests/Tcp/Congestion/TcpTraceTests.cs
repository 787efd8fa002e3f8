using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Tcp.Tracing;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>The trace ring's bound and its CSV form.</summary>
public class TcpTraceTests
{
    private static TcpTraceSample Sample(int i, TcpTraceEvent e = TcpTraceEvent.Ack, uint ssthresh = uint.MaxValue) => new(
        Instant.FromMilliseconds(1_000 + i), e, TcpState.Established, CongestionPhase.SlowStart,
        (uint)(14_600 + i), ssthresh, (uint)(1_460 * i),
        Duration.FromMicroseconds(20_000 + i), Duration.FromMicroseconds(5_000), Duration.FromMilliseconds(220),
        new SeqNumber((uint)(4_000_000_000L + (i * 1460L))), new SeqNumber((uint)(4_000_000_000L + (i * 2920L))),
        65_535, 131_072, i / 3, (uint)(i % 3 * 1_460));

    [Fact]
    public void The_ring_keeps_the_newest_rows_up_to_its_capacity()
    {
        var trace = new TcpTrace(4);
        for (int i = 0; i < 3; i++)
        {
            trace.Record(Sample(i));
        }

        Assert.Equal(3, trace.Count);
        Assert.Equal(0, trace.Overwritten);
        Assert.Equal(Sample(0), trace[0]);
        Assert.Equal([Sample(0), Sample(1), Sample(2)], trace.ToArray());

        for (int i = 3; i < 10; i++)
        {
            trace.Record(Sample(i));
        }

        Assert.Equal(4, trace.Count);
        Assert.Equal(10, trace.Recorded);
        Assert.Equal(6, trace.Overwritten);
        Assert.Equal([Sample(6), Sample(7), Sample(8), Sample(9)], Enumerable.Range(0, 4).Select(i => trace[i]));
        Assert.Equal([Sample(6), Sample(7), Sample(8), Sample(9)], trace.ToArray());
        Assert.Equal(Sample(9).Time, trace.LastTime);
        Assert.Throws<ArgumentOutOfRangeException>(() => trace[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTrace(0));

        trace.Clear();
        Assert.Equal(0, trace.Count);
        trace.Record(Sample(42));
        Assert.Equal(Sample(42), trace[0]);
    }

    [Fact]
    public void Recording_allocates_nothing_once_the_ring_exists()
    {
        var trace = new TcpTrace(1024);
        TcpTraceSample sample = Sample(1);
        trace.Record(sample);
        long allocated = ThreadAllocations.Fewest(() =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                trace.Record(sample);
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(1024, trace.Count);
    }

    [Fact]
    public void Csv_has_a_header_and_one_row_per_sample_with_events_and_an_empty_infinite_ssthresh()
    {
        var trace = new TcpTrace(16);
        trace.Record(Sample(0));
        trace.Record(Sample(250, TcpTraceEvent.LossDetected, ssthresh: 10_220));
        trace.Record(Sample(500, TcpTraceEvent.RetransmitTimeout, ssthresh: 10_220));
        var text = new StringWriter();
        TcpTraceCsv.Write(trace, text);
        string[] lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, lines.Length);
        Assert.Equal("time_s,time_us,event,state,phase,cwnd,ssthresh,in_flight,srtt_us,rttvar_us,rto_us,snd_una,snd_nxt,snd_wnd,rcv_wnd,retransmits,limited_transmit", lines[0]);
        Assert.Equal("0.000000,1000000,ack,ESTABLISHED,slow_start,14600,,0,20000,5000,220000,4000000000,4000000000,65535,131072,0,0", lines[1]);
        Assert.StartsWith("0.250000,1250000,loss,ESTABLISHED,slow_start,14850,10220,365000,", lines[2]);
        Assert.StartsWith("0.500000,1500000,rto,", lines[3]);

        // Sequence numbers wrap as uint: 4e9 + 500 * 2920 is past 2^32.
        Assert.EndsWith($",{(uint)(4_000_000_000L + (500 * 1460L))},{(uint)(4_000_000_000L + (500 * 2920L))},65535,131072,166,2920", lines[3]);
    }

    [Fact]
    public void Csv_reads_back_to_the_same_samples()
    {
        var trace = new TcpTrace(8);
        TcpTraceEvent[] events = Enum.GetValues<TcpTraceEvent>();
        for (int i = 0; i < events.Length; i++)
        {
            trace.Record(Sample(i * 10, events[i], ssthresh: i == 0 ? uint.MaxValue : (uint)(5_000 + i)));
        }

        var text = new StringWriter();
        TcpTraceCsv.Write(trace, text);
        List<TcpTraceSample> read = TcpTraceCsv.Read(new StringReader(text.ToString()));
        Assert.Equal(Enumerable.Range(0, trace.Count).Select(i => trace[i]), read);
    }

    [Theory]
    [InlineData("time,cwnd\n1,2\n")]
    [InlineData("time_s,time_us,event,state,phase,cwnd,ssthresh,in_flight,srtt_us,rttvar_us,rto_us,snd_una,snd_nxt,snd_wnd,rcv_wnd,retransmits,limited_transmit\n0,1,ack,ESTABLISHED,slow_start,x,,0,0,0,0,0,0,0,0,0,0\n")]
    [InlineData("time_s,time_us,event,state,phase,cwnd,ssthresh,in_flight,srtt_us,rttvar_us,rto_us,snd_una,snd_nxt,snd_wnd,rcv_wnd,retransmits,limited_transmit\n0,1,boom,ESTABLISHED,slow_start,1,,0,0,0,0,0,0,0,0,0,0\n")]
    [InlineData("time_s,time_us,event,state,phase,cwnd,ssthresh,in_flight,srtt_us,rttvar_us,rto_us,snd_una,snd_nxt,snd_wnd,rcv_wnd,retransmits,limited_transmit\n0,1,ack,ESTABLISHED,slow_start,1,,0,0,0,0,0,0,0,0,0\n")]
    [InlineData("")]
    public void Malformed_csv_is_rejected_with_a_clear_error(string csv)
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => TcpTraceCsv.Read(new StringReader(csv)));
        Assert.Matches("TCP trace", e.Message);
    }
}
