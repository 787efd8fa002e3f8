using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// The receive side: segment text into the receive ring (in order, or held out of order in a
/// bounded range set), the acknowledgment policy (delayed ACK, RFC 9293 §3.8.6.3 and RFC 5681
/// §4.2), SACK and D-SACK blocks (RFC 2018, RFC 2883) and the advertised window with receiver
/// SWS avoidance (RFC 9293 §3.8.6.2.2) and window scaling (RFC 7323 §2).
/// </summary>
public sealed partial class TcpConnection
{
    /// <summary>Puts segment text starting at <paramref name="seq"/> into the receive ring.</summary>
    private void ReceiveText(SeqNumber seq, ReadOnlySpan<byte> payload, Instant now)
    {
        int segmentSize = payload.Length;

        // Trim what we already have; a segment entirely below RCV.NXT is a duplicate (D-SACK it).
        if (seq < _rcvNxt)
        {
            int skip = _rcvNxt - seq;
            if (skip >= payload.Length)
            {
                RecordDSack(seq, seq + payload.Length);
                RequestAck(TxReason.TcpAck);
                return;
            }

            RecordDSack(seq, _rcvNxt);
            payload = payload[skip..];
            seq = _rcvNxt;
        }

        // Trim what lies beyond the window we advertised.
        int window = ReceiveWindow;
        int offset = seq - _rcvNxt;
        if (offset + payload.Length > window)
        {
            // Part lies beyond the window: keep what fits and tell the sender our window at once
            // (as Linux, which treats data beyond the window as a reason for a quick ACK).
            payload = offset >= window ? default : payload[..(window - offset)];
            RequestAck(TxReason.TcpAck);
        }

        if (payload.IsEmpty)
        {
            // Nothing fits (a zero-window probe, say): the ACK tells the sender our window.
            RequestAck(TxReason.TcpAck);
            return;
        }

        // The peer's segment size, for "every second full-sized segment" (as Linux tcp_measure_rcv_mss).
        if (segmentSize > _rcvMss)
        {
            _rcvMss = Math.Min(segmentSize, _layer.PathMss(Tuple.RemoteAddress));
        }

        int ringOffset = _receiveBuffer.Count + offset;
        if (offset > 0)
        {
            ReceiveOutOfOrder(seq, payload, ringOffset);
            return;
        }

        _receiveBuffer.WriteAt(ringOffset, payload);
        _rcvNxt += payload.Length;
        int advance = payload.Length;
        if (!_outOfOrder.IsEmpty)
        {
            // Pull in the held ranges that are now contiguous.
            while (!_outOfOrder.IsEmpty && _outOfOrder.Lowest <= _rcvNxt)
            {
                SeqNumber right = _outOfOrder[0].Right;
                if (right > _rcvNxt)
                {
                    advance += right - _rcvNxt;
                    _rcvNxt = right;
                }

                _outOfOrder.RemoveBelow(right);
            }

            // RFC 5681 §4.2: a segment that fills (part of) a gap is acknowledged at once.
            RequestAck(TxReason.TcpAck);
        }

        _receiveBuffer.Commit(advance);
        _bytesReceived += advance;
        Signal(EventReadable);

        // RFC 9293 §3.8.6.3 / RFC 5681 §4.2: delay the ACK, but acknowledge at least every second
        // full-sized segment and never wait longer than the delayed-ACK timeout. Like Linux
        // (__tcp_ack_snd_check: "more than one full frame received"), the ACK goes as soon as more
        // than one segment's worth is unacknowledged, so a full segment followed by a short one (the
        // tail of a response) is acknowledged at once rather than after the timeout: a sender waits
        // for that ACK, and its tail loss probe (RFC 8985 §7.2, 2*SRTT with two segments in flight)
        // would otherwise fire spuriously.
        if (!_ackNow)
        {
            _unackedBytes += advance;
            if (_unackedBytes > _rcvMss)
            {
                RequestAck(TxReason.TcpAck);
            }
            else if (_delayedAckAt == Instant.MaxValue)
            {
                _delayedAckAt = now + _settings.DelayedAckTimeout;
            }
        }

        if (_finPending && _pendingFinSeq == _rcvNxt)
        {
            AcceptFin(now);
        }
    }

    /// <summary>Holds data beyond a hole and acknowledges at once (RFC 5681 §4.2: a duplicate ACK with SACK).</summary>
    private void ReceiveOutOfOrder(SeqNumber seq, ReadOnlySpan<byte> payload, int ringOffset)
    {
        SeqNumber right = seq + payload.Length;
        int added = _outOfOrder.Add(seq, right);
        if (added < 0)
        {
            // Too many holes: the data is dropped (the sender will resend it), the ACK still goes out.
            RequestAck(TxReason.TcpAck);
            return;
        }

        if (added == 0)
        {
            RecordDSack(seq, right);
        }
        else
        {
            _receiveBuffer.WriteAt(ringOffset, payload);
            _layer.Stats.OutOfOrderQueued++;
        }

        NoteSackRecency(seq);
        RequestAck(TxReason.TcpAck);
    }

    /// <summary>Remembers a duplicate range for the next ACK's first SACK block (RFC 2883 §4).</summary>
    private void RecordDSack(SeqNumber left, SeqNumber right)
    {
        if (_sackEnabled && _settings.DSack && right > left)
        {
            _dsack = new SackBlock(left, right);
            _dsackPending = true;
        }
    }

    /// <summary>RFC 2018 §4: the block holding the latest segment goes first, then the most recently reported ones.</summary>
    private void NoteSackRecency(SeqNumber seq)
    {
        _outOfOrder.TryFind(seq, out SackBlock newest);
        int count = 0;
        Span<SeqNumber> kept = stackalloc SeqNumber[TcpOptions.MaxSackBlocks];
        kept[count++] = seq;
        for (int i = 0; i < _sackRecencyCount && count < kept.Length; i++)
        {
            SeqNumber older = _sackRecency[i];
            if (_outOfOrder.TryFind(older, out SackBlock range) && range != newest)
            {
                kept[count++] = older;
            }
        }

        kept[..count].CopyTo(_sackRecency);
        _sackRecencyCount = count;
    }

    /// <summary>Fills <paramref name="blocks"/> with the SACK blocks for the next segment; returns how many.</summary>
    private int CollectSackBlocks(Span<SackBlock> blocks)
    {
        int count = 0;
        if (_dsackPending && count < blocks.Length)
        {
            // RFC 2883 §4: the D-SACK block first; if it lies inside held data, the block holding
            // it follows (so it may repeat the D-SACK block exactly).
            blocks[count++] = _dsack;
        }

        int first = count;
        for (int i = 0; i < _sackRecencyCount && count < blocks.Length; i++)
        {
            if (_outOfOrder.TryFind(_sackRecency[i], out SackBlock range) && !Contains(blocks[first..count], range))
            {
                blocks[count++] = range;
            }
        }

        // Ranges not reported recently follow, highest first.
        for (int i = _outOfOrder.Count - 1; i >= 0 && count < blocks.Length; i--)
        {
            SackBlock range = _outOfOrder[i];
            if (!Contains(blocks[first..count], range))
            {
                blocks[count++] = range;
            }
        }

        return count;

        static bool Contains(ReadOnlySpan<SackBlock> list, SackBlock block)
        {
            foreach (SackBlock item in list)
            {
                if (item == block)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Free receive space we can offer: the buffer limit less the unread in-order bytes, capped by
    /// what the 16-bit window field can say at our shift (64 KiB without scaling).
    /// </summary>
    private int ReceiveSpace => Math.Min(Math.Max(0, _settings.ReceiveBufferSize - _receiveBuffer.Count), ushort.MaxValue << _rcvShift);

    /// <summary>
    /// The window field for the next segment, and the right edge it advertises. RFC 9293
    /// §3.8.6.2.2: the edge only advances by at least min(RCV.BUFF/2, MSS) (receiver SWS avoidance);
    /// §3.8.6: it never moves left, so when scaling rounds it down we round up instead (RFC 7323
    /// §2.4; the receive ring has one scale unit of slack for this).
    /// </summary>
    private ushort SelectWindow(bool syn)
    {
        SeqNumber edge = _rcvNxt + ReceiveSpace;
        int threshold = Math.Min(_settings.ReceiveBufferSize / 2, _rcvMss);
        if (edge > _rcvAdvertisedEdge && edge - _rcvAdvertisedEdge < threshold && _rcvAdvertisedEdge >= _rcvNxt)
        {
            edge = _rcvAdvertisedEdge;
        }

        if (edge < _rcvAdvertisedEdge)
        {
            edge = _rcvAdvertisedEdge;
        }

        int window = Math.Max(0, edge - _rcvNxt);
        if (syn)
        {
            // RFC 7323 §2.2: the window in a SYN or SYN-ACK is never scaled.
            int synWindow = Math.Min(window, ushort.MaxValue);
            _rcvAdvertisedEdge = _rcvNxt + synWindow;
            return (ushort)synWindow;
        }

        int field = window >> _rcvShift;
        if (_rcvNxt + (field << _rcvShift) < _rcvAdvertisedEdge)
        {
            field++;
        }

        field = Math.Min(field, ushort.MaxValue);
        _rcvAdvertisedEdge = SeqNumber.Max(_rcvAdvertisedEdge, _rcvNxt + (field << _rcvShift));
        return (ushort)field;
    }

    /// <summary>
    /// Whether reading opened the window enough to tell the peer now: by two segments or half the
    /// buffer, whichever is smaller (Linux-like; RFC 9293 §3.8.6.2.2 requires at least one MSS).
    /// </summary>
    private bool WindowUpdateWorthSending()
    {
        SeqNumber edge = _rcvNxt + ReceiveSpace;
        int increase = edge - _rcvAdvertisedEdge;
        return increase >= Math.Min(2 * _rcvMss, _settings.ReceiveBufferSize / 2);
    }

    /// <summary>Asks for an ACK in the next output run (any segment we send carries it).</summary>
    private void RequestAck(TxReason reason)
    {
        if (!_ackNow)
        {
            _ackNow = true;
            _ackReason = reason;
        }
    }
}
