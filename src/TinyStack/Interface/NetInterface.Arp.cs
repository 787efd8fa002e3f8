using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>ARP (RFC 826): answering, learning, resolving, and the neighbour timers.</summary>
internal sealed partial class NetInterface
{
    /// <summary>
    /// Receives one ARP packet and follows RFC 826's "Packet Reception" algorithm: update the
    /// sender's entry if we have one (the merge), and if we are the target, add the sender if it
    /// was new and answer a request.
    /// </summary>
    private DropReason ReceiveArp(ReadOnlySpan<byte> data, Instant now, IFrameSink tx)
    {
        if (!ArpPacket.TryCreate(data, out ArpPacket arp))
        {
            return DropReason.ArpMalformed;
        }

        // RFC 826: "?Do I have the hardware type in ar$hrd? ... ?Do I speak the protocol in ar$pro?"
        ArpOperation operation = arp.Operation;
        if (!arp.IsEthernetIpv4 || operation is not (ArpOperation.Request or ArpOperation.Reply))
        {
            return DropReason.ArpUnsupported;
        }

        _stats.Increment(operation == ArpOperation.Request ? StatCounter.ArpRequestsReceived : StatCounter.ArpRepliesReceived);
        MacAddress senderMac = arp.SenderHardwareAddress;
        Ipv4Address senderIp = arp.SenderProtocolAddress;
        Ipv4Address targetIp = arp.TargetProtocolAddress;

        // Our own broadcast reflected back by a bridge or a looped link: nothing to learn.
        if (senderMac == _mac)
        {
            return DropReason.ArpNotForUs;
        }

        // No host owns a group hardware address, and no host has a broadcast, multicast or
        // loopback protocol address; learning one would poison the cache (Linux arp_process).
        if (senderMac.IsMulticast || senderMac == MacAddress.Zero || !IsValidArpSender(senderIp))
        {
            return DropReason.ArpBadSender;
        }

        if (senderIp.IsUnspecified)
        {
            // An ARP probe (RFC 5227 §2.1.1): someone checks whether an address is free before
            // taking it. If it is ours we say so (§2.2.1 expects the owner's reply); it teaches
            // us nothing about the sender, which has no address yet.
            if (operation == ArpOperation.Request && targetIp == _address)
            {
                SendArp(ArpOperation.Reply, senderMac, senderMac, Ipv4Address.Any, TxReason.ArpReply, tx);
                _stats.Increment(StatCounter.ArpRepliesSent);
                return DropReason.Accepted;
            }

            return DropReason.ArpNotForUs;
        }

        if (senderIp == _address)
        {
            // Another host claims our address (RFC 5227 §2.4). We keep it and report the conflict.
            if (LogEnabled(StackLogLevel.Warning))
            {
                Log(StackLogLevel.Warning, $"ARP address conflict: {senderMac} also claims {_address}");
            }

            return DropReason.ArpAddressConflict;
        }

        // RFC 826: "If the pair <protocol type, sender protocol address> is already in my
        // translation table, update the sender hardware address field of the entry with the
        // new information in the packet and set Merge_flag to true."
        bool merged = false;
        if (Neighbors.TryGet(senderIp, out NeighborEntry? entry))
        {
            Confirm(entry, senderMac, now, tx);
            merged = true;
        }

        // RFC 826: "?Am I the target protocol address?"
        if (targetIp != _address)
        {
            return DropReason.ArpNotForUs;
        }

        // "If Merge_flag is false, add the triplet ... to the translation table." Only when
        // the packet is for us: a host learns the peers that talk to it, not the whole link.
        if (!merged)
        {
            NeighborEntry? added = Neighbors.TryAdd(senderIp, NeighborState.Reachable, senderMac, now);
            // A new neighbour is a notable event (one line at Info); refreshes are not logged.
            if (added is not null && LogEnabled(StackLogLevel.Info))
            {
                Log(StackLogLevel.Info, $"ARP learned {senderIp} at {senderMac}");
            }
        }

        // "?Is the opcode ar$REQUEST? Yes: Swap hardware and protocol fields, putting the local
        // hardware and protocol addresses in the sender fields. Set the ar$op field to
        // ar$REPLY. Send the packet to the (new) target hardware address."
        if (operation == ArpOperation.Request)
        {
            SendArp(ArpOperation.Reply, senderMac, senderMac, senderIp, TxReason.ArpReply, tx);
            _stats.Increment(StatCounter.ArpRepliesSent);
        }

        return DropReason.Accepted;
    }

    /// <summary>
    /// The neighbour proved it is at <paramref name="mac"/>: mark the entry reachable and, if
    /// datagrams were waiting for it, send them now.
    /// </summary>
    private void Confirm(NeighborEntry entry, MacAddress mac, Instant now, IFrameSink tx)
    {
        NeighborState previous = entry.State;
        entry.Mac = mac;
        entry.State = NeighborState.Reachable;
        entry.ConfirmedAt = now;
        entry.RequestsSent = 0;
        Neighbors.TimersChanged();
        if (previous == NeighborState.Incomplete)
        {
            _stats.Increment(StatCounter.ArpResolved);
            if (LogEnabled(StackLogLevel.Info))
            {
                Log(StackLogLevel.Info, $"ARP resolved {entry.Address} at {mac}");
            }

            while (entry.TryDequeue(out PendingDatagram pending))
            {
                pending.Datagram.CopyTo(_tx.AsSpan(IpOffset));
                NeighborEntry.ReturnBuffer(pending);
                TransmitDatagram(mac, pending.Length, pending.Note with { WaitedForArp = true }, tx);
            }
        }
    }

    /// <summary>
    /// Upper-layer advice that a destination is reachable (RFC 1122 §2.3.2.1: e.g. TCP saw new
    /// data acknowledged), so its entry need not be probed. Cheap enough for every ACK: the
    /// removal deadline only moves later, and an early cached deadline is harmless.
    /// </summary>
    public void ConfirmReachable(Ipv4Address destination, Instant now)
    {
        if (Routes.TryLookup(destination, out Ipv4Address nextHop)
            && Neighbors.TryGet(nextHop, out NeighborEntry? entry)
            && entry.State != NeighborState.Incomplete)
        {
            entry.State = NeighborState.Reachable;
            entry.ConfirmedAt = now;
            entry.RequestsSent = 0;
        }
    }

    /// <summary>
    /// Finds the hardware address for <paramref name="nextHop"/>. False when the datagram in the
    /// transmit buffer had to be queued until the neighbour answers (<paramref name="verdict"/>
    /// is then <see cref="DropReason.Accepted"/>) or could not be (why not).
    /// </summary>
    private bool TryResolve(Ipv4Address nextHop, int datagramLength, in TxNote note, Instant now, IFrameSink tx, out MacAddress mac, out DropReason verdict)
    {
        verdict = DropReason.Accepted;
        if (Neighbors.TryGet(nextHop, out NeighborEntry? entry))
        {
            if (entry.State != NeighborState.Incomplete)
            {
                mac = entry.Mac;
                if (entry.IsStale(now, Neighbors.Lifetime))
                {
                    // Stale and in use: keep using the old address (it is almost always still
                    // right) while a unicast request checks it, as Linux's PROBE state does.
                    entry.State = NeighborState.Probing;
                    entry.RequestsSent = 0;
                    SendArpRequest(entry, now, tx);
                }

                return true;
            }
        }
        else
        {
            entry = Neighbors.TryAdd(nextHop, NeighborState.Incomplete, MacAddress.Zero, now);
            if (entry is null)
            {
                mac = default;
                verdict = DropReason.ArpCacheFull;
                _stats.Count(verdict);
                return false;
            }

            Enqueue(entry, datagramLength, note);
            SendArpRequest(entry, now, tx);
            mac = default;
            return false;
        }

        Enqueue(entry, datagramLength, note);
        mac = default;
        return false;
    }

    private void Enqueue(NeighborEntry entry, int datagramLength, in TxNote note)
    {
        int dropped = entry.Enqueue(_tx.AsSpan(IpOffset, datagramLength), note, _options.ArpPendingQueueLength, _options.ArpPendingQueueBytes);
        _stats.Increment(StatCounter.Ipv4DatagramsQueuedForArp);
        for (int i = 0; i < dropped; i++)
        {
            _stats.Count(DropReason.ArpQueueFull);
        }
    }

    /// <summary>
    /// Sends the next request for an unresolved or probed entry: broadcast while resolving,
    /// unicast to the address we believe while probing (Linux ucast_solicit).
    /// </summary>
    private void SendArpRequest(NeighborEntry entry, Instant now, IFrameSink tx)
    {
        MacAddress destination = entry.State == NeighborState.Probing ? entry.Mac : MacAddress.Broadcast;
        var note = new TxNote(TxReason.ArpRequest, entry.RequestsSent);
        entry.RequestsSent++;
        entry.NextRequestAt = now + _options.ArpRetryInterval;
        Neighbors.TimersChanged();
        SendArp(ArpOperation.Request, destination, MacAddress.Zero, entry.Address, note, tx);
        _stats.Increment(StatCounter.ArpRequestsSent);
    }

    /// <summary>
    /// Announces our address at start-up (RFC 5227 §2.3 "ARP Announcement", the form Linux
    /// sends): a broadcast request with our address as both sender and target, so peers that
    /// cached an old hardware address for it update their entry.
    /// </summary>
    private void SendGratuitousArp(IFrameSink tx)
    {
        SendArp(ArpOperation.Request, MacAddress.Broadcast, MacAddress.Zero, _address, TxReason.GratuitousArp, tx);
        _stats.Increment(StatCounter.GratuitousArpsSent);
    }

    /// <summary>Builds an ARP packet from us (sender = our MAC and address) in the ARP buffer and sends it.</summary>
    private void SendArp(ArpOperation operation, MacAddress destination, MacAddress targetMac, Ipv4Address targetIp, in TxNote note, IFrameSink tx)
    {
        Span<byte> frame = _arpFrame;
        new EthernetHeader(destination, _mac, EtherType.Arp).WriteTo(frame);
        new ArpRepr(operation, _mac, _address, targetMac, targetIp).WriteTo(frame[EthernetHeader.Length..]);
        Emit(frame, note, tx);
    }

    /// <summary>Retries, failures and removals of neighbour entries whose deadline has come.</summary>
    private void PollNeighbors(Instant now, IFrameSink tx)
    {
        while (Neighbors.TryFindDue(now, out NeighborEntry? entry))
        {
            if (entry.State == NeighborState.Reachable)
            {
                // Stale and unused for ArpStaleEntryLifetime (Linux gc_stale_time): forget it.
                Neighbors.Remove(entry);
            }
            else if (entry.RequestsSent < _options.ArpMaxRequests)
            {
                SendArpRequest(entry, now, tx);
            }
            else
            {
                ResolutionFailed(entry, now, tx);
            }
        }
    }

    /// <summary>
    /// Nobody answered <see cref="StackOptions.ArpMaxRequests"/> requests. A router would send
    /// ICMP host unreachable to each waiting datagram's source (RFC 1812 §4.3.3.1); as a host we
    /// are that source, so each datagram is dropped and its protocol told "host unreachable",
    /// as Linux reports EHOSTUNREACH to the socket.
    /// </summary>
    private void ResolutionFailed(NeighborEntry entry, Instant now, IFrameSink tx)
    {
        Neighbors.Remove(entry);
        if (LogEnabled(StackLogLevel.Info))
        {
            Log(StackLogLevel.Info, entry.State == NeighborState.Incomplete
                ? $"ARP resolution of {entry.Address} failed after {entry.RequestsSent} requests; {entry.PendingCount} datagrams dropped"
                : $"ARP entry for {entry.Address} ({entry.Mac}) expired: {entry.RequestsSent} probes unanswered");
        }

        while (entry.TryDequeue(out PendingDatagram pending))
        {
            _stats.Count(DropReason.ArpResolutionFailed);
            ReportLocalUnreachable(pending.Datagram, now, tx);
            NeighborEntry.ReturnBuffer(pending);
        }
    }

    /// <summary>Tells the protocol that sent <paramref name="datagram"/> that its destination is unreachable.</summary>
    private void ReportLocalUnreachable(ReadOnlySpan<byte> datagram, Instant now, IFrameSink tx)
    {
        if (!Ipv4Packet.TryCreate(datagram, out Ipv4Packet packet))
        {
            return;
        }

        IIpProtocolHandler? handler = _handlers[packet.Protocol];
        if (handler is null || handler == Icmp)
        {
            return;
        }

        var error = new IcmpErrorMessage(
            IcmpType.DestinationUnreachable,
            IcmpUnreachableCode.Host,
            0,
            _address,
            packet.Source,
            packet.Destination,
            packet.Protocol,
            packet.Payload,
            isLocal: true);
        handler.HandleIcmpError(error, now, tx);
    }

    /// <summary>Sender protocol addresses no neighbour can have; 0.0.0.0 is allowed here (probes).</summary>
    private bool IsValidArpSender(Ipv4Address sender) =>
        !(sender.IsMulticast || sender.IsReserved || sender.IsLoopback || IsBroadcastAddress(sender));
}
