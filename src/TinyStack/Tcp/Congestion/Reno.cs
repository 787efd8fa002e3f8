using TinyStack.Time;

namespace TinyStack.Tcp.Congestion;

/// <summary>
/// Reno congestion control (RFC 5681) with appropriate byte counting (RFC 3465): slow start below
/// ssthresh, one MSS per window above it, halving on loss, one segment after a timeout. The
/// fast-recovery window arithmetic is RFC 6675's pipe, kept by the connection.
/// </summary>
public sealed class Reno : ICongestionControl
{
    private int _mss;
    private uint _bytesAckedInAvoidance;

    public Reno(int mss)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mss, 1);
        _mss = mss;
        Cwnd = InitialWindow(mss);
        Ssthresh = uint.MaxValue;
    }

    public string Name => "reno";

    public uint Cwnd { get; private set; }

    public uint Ssthresh { get; private set; }

    /// <summary>RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)) (Linux TCP_INIT_CWND = 10).</summary>
    public static uint InitialWindow(int mss) => (uint)Math.Min(10 * mss, Math.Max(2 * mss, 14600));

    public void OnAck(Instant now, uint ackedBytes, uint priorInFlight, bool inRecovery)
    {
        if (inRecovery || ackedBytes == 0)
        {
            // RFC 6675 §5: during recovery the window is governed by pipe, cwnd stays at ssthresh.
            return;
        }

        if (Cwnd < Ssthresh)
        {
            // RFC 7661-style validation, as Linux: grow only when the window was being used
            // (slow start counts as used if half of it was in flight).
            if ((ulong)priorInFlight * 2 < Cwnd)
            {
                return;
            }

            // Slow start, RFC 3465 §2.2: cwnd += min(N, L*SMSS) with L = 2 (delayed ACKs cover two segments).
            Cwnd = SaturatingAdd(Cwnd, Math.Min(ackedBytes, 2u * (uint)_mss));
            return;
        }

        if ((ulong)priorInFlight + (uint)_mss < Cwnd)
        {
            return;
        }

        // Congestion avoidance, RFC 3465 §2.1: one SMSS for every cwnd bytes acknowledged.
        _bytesAckedInAvoidance += ackedBytes;
        if (_bytesAckedInAvoidance >= Cwnd)
        {
            _bytesAckedInAvoidance -= Cwnd;
            Cwnd = SaturatingAdd(Cwnd, (uint)_mss);
        }
    }

    public void OnRttSample(Instant now, Duration rtt)
    {
    }

    public void OnLossDetected(Instant now, uint bytesInFlight)
    {
        // RFC 5681 §3.2 step 2 (equation 4): ssthresh = max(FlightSize / 2, 2*SMSS); RFC 6675 §5 step 4.2: cwnd = ssthresh.
        Ssthresh = HalfFlight(bytesInFlight);
        Cwnd = Ssthresh;
        _bytesAckedInAvoidance = 0;
    }

    public void OnRecoveryComplete(Instant now)
    {
        // RFC 5681 §3.2 step 6: deflate the window to ssthresh.
        Cwnd = Ssthresh;
    }

    public void OnRetransmitTimeout(Instant now, uint bytesInFlight, bool firstTimeout)
    {
        // RFC 5681 §3.1: ssthresh per equation 4 on the first timeout only, and cwnd = loss window (1 SMSS).
        if (firstTimeout)
        {
            Ssthresh = HalfFlight(bytesInFlight);
        }

        Cwnd = (uint)_mss;
        _bytesAckedInAvoidance = 0;
    }

    public void OnRestartAfterIdle(Instant now)
    {
        // RFC 5681 §4.1: after an idle period longer than the RTO, cwnd = min(cwnd, RW) with RW = IW.
        Cwnd = Math.Min(Cwnd, InitialWindow(_mss));
    }

    public void OnMssChanged(int mss)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mss, 1);
        _mss = mss;
        Cwnd = Math.Max(Cwnd, (uint)mss);
    }

    private uint HalfFlight(uint bytesInFlight) => Math.Max(bytesInFlight / 2, 2u * (uint)_mss);

    private static uint SaturatingAdd(uint a, uint b) => a > uint.MaxValue - b ? uint.MaxValue : a + b;
}
