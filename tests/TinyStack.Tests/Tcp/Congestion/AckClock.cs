using TinyStack.Tcp;
using TinyStack.Tcp.Congestion;
using TinyStack.Time;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>
/// Drives an <see cref="ICongestionControl"/> as a sender with unlimited data would: the window
/// is kept full (a new full-sized segment goes out whenever cwnd allows), and the ACKs of one
/// round trip arrive evenly spread over the RTT, each carrying an RTT sample.
/// </summary>
internal sealed class AckClock
{
    public AckClock(ICongestionControl cc, int mss, Instant start)
    {
        Cc = cc;
        Mss = mss;
        Now = start;
        SndUna = new SeqNumber(1_000_000);
        SndNxt = SndUna;
    }

    public ICongestionControl Cc { get; }

    public int Mss { get; }

    public Instant Now { get; set; }

    public SeqNumber SndUna { get; private set; }

    public SeqNumber SndNxt { get; private set; }

    public uint InFlight => (uint)(SndNxt - SndUna);

    /// <summary>cwnd in segments.</summary>
    public double CwndSegments => Cc.Cwnd / (double)Mss;

    /// <summary>
    /// One round trip: everything in flight at its start is acknowledged, <paramref name="segmentsPerAck"/>
    /// segments per ACK, the ACKs spread over <paramref name="rtt"/>; the window is refilled after each.
    /// </summary>
    public void Round(Duration rtt, int segmentsPerAck = 1, bool rttSamples = true)
    {
        Fill();
        Instant start = Now;
        SeqNumber end = SndNxt;
        int acks = Math.Max(1, ((end - SndUna) + (segmentsPerAck * Mss) - 1) / (segmentsPerAck * Mss));
        for (int i = 1; i <= acks && SndUna < end; i++)
        {
            Now = start + Duration.FromMicroseconds(rtt.Microseconds * i / acks);
            uint acked = (uint)Math.Min(segmentsPerAck * Mss, end - SndUna);
            uint prior = InFlight;
            SndUna += (int)acked;
            if (rttSamples)
            {
                Cc.OnRttSample(Now, rtt);
            }

            Cc.OnAck(new CongestionAck(Now, acked, prior, InFlight, SndUna, SndNxt, InRecovery: false));
            Fill();
        }

        Now = start + rtt;
    }

    /// <summary>Rounds until <paramref name="condition"/> holds (at most <paramref name="limit"/>); returns how many ran.</summary>
    public int RoundsUntil(Func<bool> condition, Duration rtt, int limit = 10_000)
    {
        int rounds = 0;
        while (!condition() && rounds < limit)
        {
            Round(rtt);
            rounds++;
        }

        Assert.True(condition(), $"condition not reached in {limit} rounds");
        return rounds;
    }

    /// <summary>A retransmission timeout: everything in flight is presumed lost and will be sent again.</summary>
    public void LoseEverything() => SndNxt = SndUna;

    /// <summary>Sends full segments while cwnd has room.</summary>
    public void Fill()
    {
        while (InFlight + (uint)Mss <= Cc.Cwnd)
        {
            SndNxt += Mss;
        }
    }
}
