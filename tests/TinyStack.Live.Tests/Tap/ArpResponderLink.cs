using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Live.Tests.Tap;

/// <summary>
/// Stands in for the stack's ARP responder: after the host reports the verdict on an ARP request
/// for 10.0.0.2, it sends the reply from the loop thread, as the stack would. Used to measure the
/// host loop's own latency, independent of the core.
/// </summary>
internal sealed class ArpResponderLink(ILinkDevice inner) : ILinkDevice
{
    private readonly byte[] _reply = new byte[ArpFrames.Length];
    private Instant _receivedAt;
    private bool _replyPending;

    public int Mtu => inner.Mtu;

    public Instant NextDeadline => inner.NextDeadline;

    public int WaitHandle => inner.WaitHandle;

    public long Replies { get; private set; }

    public int Receive(Span<byte> buffer, Instant now)
    {
        int n = inner.Receive(buffer, now);
        if (n > 0
            && ArpFrames.TryRead(buffer[..n], out ushort op, out ReadOnlySpan<byte> senderMac, out ReadOnlySpan<byte> senderIp, out ReadOnlySpan<byte> targetIp)
            && op == ArpFrames.OpRequest && targetIp.SequenceEqual(ArpFrames.OurIp))
        {
            ArpFrames.WriteReply(_reply, ArpFrames.OurMac, ArpFrames.OurIp, senderMac, senderIp);
            _replyPending = true;
            _receivedAt = now;
        }

        return n;
    }

    public void ReportVerdict(DropReason verdict)
    {
        inner.ReportVerdict(verdict);
        if (_replyPending)
        {
            _replyPending = false;
            inner.Transmit(_reply, TxReason.ArpReply, _receivedAt);
            Replies++;
        }
    }

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now) => inner.Transmit(frame, note, now);

    public void Poll(Instant now) => inner.Poll(now);

    public void Dispose() => inner.Dispose();
}
