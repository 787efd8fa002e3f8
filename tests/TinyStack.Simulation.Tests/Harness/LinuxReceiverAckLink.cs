using TinyStack.Host.Links;
using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// Wraps a receiving TinyStack node's link so that its ACKs look like a Linux receiver's on a
/// LAN-speed download. Two differences matter. First, Linux's receive window sits at its clamp
/// (the lab's kernel advertises the same window all along), so the application's reads send no
/// window updates, where TinyStack's 256 KiB buffer sends one whenever a read opens it by two
/// segments: those updates are dropped here. Second, Linux compresses duplicate ACKs
/// (tcp_comp_sack): while a hole is open, the first <see cref="ImmediateDuplicates"/> SACK-carrying
/// ACKs for one cumulative ACK go out at once; later ones are held back, and only the newest of
/// them is sent, <see cref="Delay"/> after the first was held (net.ipv4.tcp_comp_sack_delay_ns) or
/// once <see cref="MaxCompressed"/> have been held (tcp_comp_sack_nr). Any other frame supersedes
/// the held ACK. The ACK that fills the hole then often acknowledges the whole flight by itself,
/// so losing that one frame leaves the sender with no ACK at all, which is what the live lab shows.
/// </summary>
public sealed class LinuxReceiverAckLink(ILinkDevice inner) : ILinkDevice
{
    /// <summary>Duplicate ACKs per cumulative ACK sent before compression starts (Linux: TCP_FASTRETRANS_THRESH).</summary>
    public const int ImmediateDuplicates = 3;

    /// <summary>Held duplicate ACKs that force one out (Linux: tcp_comp_sack_nr).</summary>
    public const int MaxCompressed = 44;

    private readonly byte[] _held = new byte[inner.Mtu + MemoryLink.LinkHeaderAllowance];
    private int _heldLength;
    private TxNote _heldNote;
    private Instant _heldDue = Instant.MaxValue;
    private int _heldCount;
    private SeqNumber _lastAck;
    private int _duplicates;

    /// <summary>How long the first held ACK waits (Linux: at most tcp_comp_sack_delay_ns, 1 ms).</summary>
    public Duration Delay { get; init; } = Duration.FromMilliseconds(1);

    /// <summary>Duplicate ACKs held back and never sent (superseded by a newer one).</summary>
    public long Compressed { get; private set; }

    /// <summary>Window updates not sent.</summary>
    public long WindowUpdatesSuppressed { get; private set; }

    public int Mtu => inner.Mtu;

    public Instant NextDeadline => Instant.Min(inner.NextDeadline, _heldDue);

    public int WaitHandle => inner.WaitHandle;

    public int Receive(Span<byte> buffer, Instant now) => inner.Receive(buffer, now);

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        if (note.Reason == TxReason.TcpWindowUpdate)
        {
            WindowUpdatesSuppressed++;
            return;
        }

        if (!IsCompressible(frame))
        {
            // A newer ACK carries everything the held one said.
            Discard();
            inner.Transmit(frame, note, now);
            return;
        }

        if (_heldLength > 0)
        {
            Compressed++;
        }
        else
        {
            _heldDue = now + Delay;
        }

        frame.CopyTo(_held);
        _heldLength = frame.Length;
        _heldNote = note;
        if (++_heldCount >= MaxCompressed)
        {
            Release(now);
        }
    }

    public void ReportVerdict(DropReason verdict) => inner.ReportVerdict(verdict);

    public void Poll(Instant now)
    {
        if (_heldDue <= now)
        {
            Release(now);
        }

        inner.Poll(now);
    }

    public void Dispose() => inner.Dispose();

    private void Release(Instant now)
    {
        inner.Transmit(_held.AsSpan(0, _heldLength), _heldNote, now);
        _heldLength = 0;
        _heldCount = 0;
        _heldDue = Instant.MaxValue;
    }

    private void Discard()
    {
        if (_heldLength > 0)
        {
            Compressed++;
        }

        _heldLength = 0;
        _heldCount = 0;
        _heldDue = Instant.MaxValue;
    }

    /// <summary>A pure ACK with SACK blocks, beyond the first few for the same cumulative ACK.</summary>
    private bool IsCompressible(ReadOnlySpan<byte> frame)
    {
        if (!EthernetFrame.TryCreate(frame, out EthernetFrame ethernet) || ethernet.EtherType != EtherType.Ipv4
            || !Ipv4Packet.TryCreate(ethernet.Payload, out Ipv4Packet ip) || ip.Protocol != IpProtocol.Tcp
            || !TcpSegment.TryCreate(ip.Payload, out TcpSegment tcp))
        {
            return false;
        }

        bool pureAck = tcp.Payload.IsEmpty && (tcp.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) == 0 && (tcp.Flags & TcpFlags.Ack) != 0;
        if (!pureAck || !tcp.TryGetOptions(out TcpOptions options) || options.SackBlockCount == 0)
        {
            _duplicates = 0;
            return false;
        }

        if (tcp.AcknowledgmentNumber != _lastAck)
        {
            _lastAck = tcp.AcknowledgmentNumber;
            _duplicates = 0;
        }

        return ++_duplicates > ImmediateDuplicates;
    }
}
