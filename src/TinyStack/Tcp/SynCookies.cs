using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// SYN cookies (RFC 4987 §3.6, after Bernstein): when the SYN queue is full, the listener keeps
/// no state and encodes what it must remember in its ISN instead:
/// <code>
///  31     27 26   24 23                                0
/// +---------+-------+-----------------------------------+
/// | t mod 32| MSS i |  MAC(tuple, t, MSS i, peer ISN)    |
/// +---------+-------+-----------------------------------+
/// </code>
/// t counts 64-second periods; a cookie is valid for up to two periods after it was made (as
/// Linux's MAX_SYNCOOKIE_AGE). When the SYN carried timestamps, window scale and
/// SACK-permitted ride in the low bits of our TSval and come back in the peer's TSecr (as Linux);
/// without timestamps they are lost, so the SYN-ACK does not offer them.
/// </summary>
internal static class SynCookies
{
    private const int CounterShift = 27;
    private const int MssShift = 24;
    private const uint MacMask = 0x00FF_FFFF;
    private const long PeriodMicroseconds = 64_000_000;
    private const int MaxAge = 2;

    // Low bits of TSval: 4 bits window scale (15 = none), 1 bit SACK-permitted.
    private const uint TsOptionMask = 0x1F;
    private const uint NoWindowScale = 0xF;
    private const uint SackBit = 0x10;

    /// <summary>MSS values a cookie can name (3 bits): common Ethernet, PPPoE, VPN and tunnel sizes.</summary>
    private static ReadOnlySpan<ushort> MssTable => [536, 1200, 1300, 1380, 1400, 1440, 1452, 1460];

    /// <summary>The table's largest MSS not above the peer's (index 0, 536, if none).</summary>
    public static int MssIndex(int peerMss)
    {
        int index = 0;
        for (int i = 0; i < MssTable.Length; i++)
        {
            if (MssTable[i] <= peerMss)
            {
                index = i;
            }
        }

        return index;
    }

    public static uint Encode(TcpSecrets secrets, TcpTuple tuple, SeqNumber peerIsn, int mssIndex, Instant now)
    {
        uint counter = Counter(now);
        uint mac = secrets.CookieHash(tuple, (counter << 3) | (uint)mssIndex, peerIsn.Value) & MacMask;
        return ((counter & 0x1F) << CounterShift) | ((uint)mssIndex << MssShift) | mac;
    }

    /// <summary>Checks the cookie in an ACK (SEG.ACK - 1) against the tuple and the peer's ISN (SEG.SEQ - 1).</summary>
    public static bool TryDecode(TcpSecrets secrets, TcpTuple tuple, uint cookie, SeqNumber peerIsn, Instant now, out int mss)
    {
        uint current = Counter(now);
        uint stamp = cookie >> CounterShift;
        int mssIndex = (int)((cookie >> MssShift) & 0x7);
        for (uint age = 0; age <= MaxAge; age++)
        {
            uint counter = current - age;
            if ((counter & 0x1F) != stamp)
            {
                continue;
            }

            uint mac = secrets.CookieHash(tuple, (counter << 3) | (uint)mssIndex, peerIsn.Value) & MacMask;
            if (mac == (cookie & MacMask))
            {
                mss = MssTable[mssIndex];
                return true;
            }
        }

        mss = 0;
        return false;
    }

    /// <summary>Our TSval for the cookie SYN-ACK: the clock with the options in its low bits, never ahead of the clock.</summary>
    public static uint EncodeTimestamp(uint clock, int? windowScale, bool sackPermitted)
    {
        uint bits = (windowScale is int shift ? (uint)shift : NoWindowScale) | (sackPermitted ? SackBit : 0);
        uint value = (clock & ~TsOptionMask) | bits;
        if (unchecked((int)(value - clock)) > 0)
        {
            value -= TsOptionMask + 1;
        }

        return value;
    }

    public static void DecodeTimestamp(uint tsEcr, out int? windowScale, out bool sackPermitted)
    {
        uint shift = tsEcr & NoWindowScale;
        windowScale = shift == NoWindowScale ? null : (int)shift;
        sackPermitted = (tsEcr & SackBit) != 0;
    }

    private static uint Counter(Instant now) => (uint)(now.Microseconds / PeriodMicroseconds);
}
