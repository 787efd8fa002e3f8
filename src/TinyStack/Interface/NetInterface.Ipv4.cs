using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>IPv4 input (RFC 791, RFC 1122 §3.2.1): validation, addressing, reassembly, dispatch.</summary>
internal sealed partial class NetInterface
{
    private DropReason ReceiveIpv4(ReadOnlySpan<byte> data, bool linkBroadcast, Instant now, IFrameSink tx)
    {
        // RFC 1122 §3.2.1.1-2: a datagram with a bad version, header length, total length or
        // checksum MUST be silently discarded.
        if (!Ipv4Packet.TryCreate(data, out Ipv4Packet packet, out DropReason error))
        {
            return error;
        }

        if (!packet.IsChecksumValid)
        {
            return DropReason.Ipv4BadChecksum;
        }

        _stats.Increment(StatCounter.Ipv4DatagramsReceived);

        // RFC 1122 §3.2.1.3: "A host MUST silently discard an incoming datagram containing an IP
        // source address that is invalid by the rules of this section."
        if (!IsValidSource(packet.Source))
        {
            return DropReason.Ipv4BadSource;
        }

        // A host takes datagrams for its own address and for broadcast; it forwards nothing
        // (RFC 1122 §3.3.4.2 and §3.2.1.3: a host is not a gateway).
        Ipv4Address destination = packet.Destination;
        bool broadcast = IsBroadcastAddress(destination);
        if (destination != _address && !broadcast)
        {
            return DropReason.Ipv4NotForUs;
        }

        // TTL is not checked: RFC 1122 §3.2.1.7 "A host MUST NOT discard a datagram just because
        // it was received with TTL less than 2."
        if (!packet.IsFragment)
        {
            return Deliver(new Ipv4Datagram(packet.Header, packet.Payload, broadcast, linkBroadcast), now, tx);
        }

        _stats.Increment(StatCounter.FragmentsReceived);
        DropReason verdict = Reassembler.Add(packet, linkBroadcast, now, out ReassemblySlot? slot);
        if (verdict != DropReason.Accepted || slot is null)
        {
            return verdict;
        }

        _stats.Increment(StatCounter.DatagramsReassembled);
        try
        {
            return Deliver(new Ipv4Datagram(slot.Header, slot.Payload, broadcast, slot.LinkBroadcast), now, tx);
        }
        finally
        {
            Reassembler.Release(slot);
        }
    }

    /// <summary>Hands a datagram to the protocol its Protocol field names (RFC 791 §3.1).</summary>
    private DropReason Deliver(in Ipv4Datagram datagram, Instant now, IFrameSink tx)
    {
        IIpProtocolHandler? handler = _handlers[datagram.Protocol];
        if (handler is null)
        {
            // RFC 1122 §3.2.2.1: a host SHOULD answer with Destination Unreachable, protocol
            // unreachable, when the protocol is not supported (Linux does).
            Icmp.SendError(IcmpType.DestinationUnreachable, IcmpUnreachableCode.Protocol, 0, datagram, now, tx);
            return DropReason.Ipv4UnknownProtocol;
        }

        _stats.Increment(StatCounter.Ipv4DatagramsDelivered);
        return handler.HandleDatagram(datagram, now, tx);
    }

    /// <summary>
    /// Discards timed-out reassemblies. When the first fragment had arrived, the sender is told
    /// with Time Exceeded, "fragment reassembly time exceeded" (RFC 792; RFC 1122 §3.2.1.4 says
    /// MAY, Linux does). Without the first fragment there is nothing useful to quote.
    /// </summary>
    private void PollReassembly(Instant now, IFrameSink tx)
    {
        while (Reassembler.TryTakeExpired(now, out ReassemblySlot? slot) && slot is not null)
        {
            _stats.Count(DropReason.Ipv4ReassemblyTimeout);
            if (LogEnabled(StackLogLevel.Debug))
            {
                Log(StackLogLevel.Debug, $"reassembly of {slot.Source} > {slot.Destination} id {slot.Identification} timed out with {slot.ReceivedBytes} bytes in {slot.RangeCount} fragments");
            }

            if (slot.HasFirstFragment)
            {
                Ipv4Address destination = slot.Destination;
                var quoted = new Ipv4Datagram(slot.Header, slot.Payload, IsBroadcastAddress(destination) || destination.IsMulticast, slot.LinkBroadcast);
                Icmp.SendError(IcmpType.TimeExceeded, Icmp.FragmentReassemblyTimeExceeded, 0, quoted, now, tx);
            }

            Reassembler.Release(slot);
        }
    }

    /// <summary>
    /// RFC 1122 §3.2.1.3: a source address must name one host. Not this network (0/8), not
    /// limited or subnet broadcast, not multicast (RFC 1112), not loopback (127/8 must never
    /// appear on a wire), not class E; and not our own address, which only we may send from
    /// (Linux calls such a datagram a martian).
    /// </summary>
    public bool IsValidSource(Ipv4Address source) =>
        (source.Value >> 24) != 0
        && !source.IsMulticast
        && !source.IsLoopback
        && !source.IsReserved
        && !IsBroadcastAddress(source)
        && source != _address;

    /// <summary>
    /// 255.255.255.255, and our subnet's directed broadcast in both forms: all ones in the host
    /// part, and the old all-zeros form RFC 1122 §3.3.6 says hosts SHOULD accept. /31 and /32
    /// have no broadcast (RFC 3021).
    /// </summary>
    public bool IsBroadcastAddress(Ipv4Address address) =>
        address.IsLimitedBroadcast
        || (_subnet.PrefixLength < 31 && (address == _subnet.DirectedBroadcast || address == _subnet.Network));
}
