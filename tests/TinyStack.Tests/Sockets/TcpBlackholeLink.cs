using TinyStack.Host.Links;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tests.Sockets;

/// <summary>
/// A pass-through link that silently drops every TCP frame it receives (ARP and ICMP pass), so a
/// peer resolves the address but never hears a SYN: a connect there can only time out.
/// </summary>
internal sealed class TcpBlackholeLink(ILinkDevice inner) : ILinkDevice
{
    private const int EthernetHeaderLength = 14;
    private const int Ipv4ProtocolOffset = EthernetHeaderLength + 9;

    private long _dropped;

    public long Dropped => Volatile.Read(ref _dropped);

    public int Mtu => inner.Mtu;

    public Instant NextDeadline => inner.NextDeadline;

    public int WaitHandle => inner.WaitHandle;

    public int Receive(Span<byte> buffer, Instant now)
    {
        while (true)
        {
            int length = inner.Receive(buffer, now);
            if (length == 0 || !IsTcp(buffer[..length]))
            {
                return length;
            }

            _dropped++;
        }
    }

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now) => inner.Transmit(frame, note, now);

    public void ReportVerdict(DropReason verdict) => inner.ReportVerdict(verdict);

    public void Poll(Instant now) => inner.Poll(now);

    public void Dispose() => inner.Dispose();

    private static bool IsTcp(ReadOnlySpan<byte> frame) =>
        frame.Length > Ipv4ProtocolOffset
        && frame[12] == 0x08 && frame[13] == 0x00
        && frame[Ipv4ProtocolOffset] == IpProtocol.Tcp;
}
