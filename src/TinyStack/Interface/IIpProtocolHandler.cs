using TinyStack.Time;

namespace TinyStack.Interface;

/// <summary>
/// A transport protocol (TCP, UDP; ICMP itself) plugged into <see cref="NetInterface"/> with
/// <see cref="NetInterface.Register"/>. The interface hands it every datagram for its protocol
/// number that passed IP validation and reassembly, every ICMP error that quotes one of its
/// datagrams, and a share of <see cref="NetworkStack.Poll"/> for its timers. It sends through
/// <see cref="NetInterface.BeginIpv4"/> / <see cref="NetInterface.CommitIpv4"/>.
/// </summary>
internal interface IIpProtocolHandler
{
    /// <summary>
    /// Processes one datagram addressed to us (unicast or broadcast). The spans are valid only
    /// during the call. Returns the verdict: <see cref="DropReason.Accepted"/> or why it was dropped.
    /// </summary>
    DropReason HandleDatagram(in Ipv4Datagram datagram, Instant now, IFrameSink tx);

    /// <summary>
    /// An ICMP Destination Unreachable, Time Exceeded or Parameter Problem quoting a datagram we
    /// sent with this protocol (RFC 1122 §3.2.2: ICMP errors go to the transport layer), or a
    /// local failure to deliver one (ARP resolution failed: host unreachable,
    /// <see cref="IcmpErrorMessage.IsLocal"/>). The interface has only checked that the quoted
    /// source is our address; the handler must check the rest before believing it (RFC 5927
    /// §4.1: a matching connection, and for TCP a sequence number inside the send window).
    /// Returns whether the error was acted on; one that matched nothing is counted as ignored.
    /// </summary>
    bool HandleIcmpError(in IcmpErrorMessage error, Instant now, IFrameSink tx);

    /// <summary>When <see cref="Poll"/> must next run; <see cref="Instant.MaxValue"/> if never.</summary>
    Instant NextDeadline { get; }

    /// <summary>Runs the protocol's due timers, emitting frames through the interface.</summary>
    void Poll(Instant now, IFrameSink tx);
}
