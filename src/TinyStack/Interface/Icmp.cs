using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>
/// ICMP for a host (RFC 792, RFC 1122 §3.2.2): answers echo requests, passes received errors to
/// the protocol whose datagram they quote, and sends the errors the interface and the
/// transports ask for, under RFC 1122's rules and a rate limit.
/// </summary>
internal sealed class Icmp : IIpProtocolHandler
{
    /// <summary>Time Exceeded code 1, "fragment reassembly time exceeded" (RFC 792).</summary>
    public const byte FragmentReassemblyTimeExceeded = 1;

    /// <summary>
    /// RFC 1812 §4.3.2.3: an error quotes as much of the offending datagram as fits in 576
    /// bytes (the datagram size every host accepts); Linux does the same. RFC 792 asked only for
    /// the header and 8 bytes, which hides most of a TCP header behind an IP header with options.
    /// </summary>
    public const int MaxErrorDatagramLength = 576;

    // RFC 1812 §4.3.2.5: errors go out with precedence 6, internetwork control (TOS 0xC0),
    // which is DSCP CS6 = 48. Linux does the same (IPTOS_PREC_INTERNETCONTROL).
    private const byte ErrorDscp = 48;

    private readonly NetInterface _interface;
    private readonly Stats _stats;
    private readonly TokenBucket _errorBucket;
    private readonly bool _ignoreBroadcastEcho;

    public Icmp(NetInterface netInterface, StackOptions options, Stats stats)
    {
        _interface = netInterface;
        _stats = stats;
        _errorBucket = new TokenBucket(options.IcmpErrorInterval, options.IcmpErrorBurst);
        _ignoreBroadcastEcho = options.IcmpEchoIgnoreBroadcasts;
    }

    /// <summary>ICMP keeps no timers: the rate limit refills lazily.</summary>
    public Instant NextDeadline => Instant.MaxValue;

    public void Poll(Instant now, IFrameSink tx)
    {
    }

    public DropReason HandleDatagram(in Ipv4Datagram datagram, Instant now, IFrameSink tx)
    {
        if (!IcmpPacket.TryCreate(datagram.Payload, out IcmpPacket icmp))
        {
            return DropReason.IcmpTruncated;
        }

        if (!icmp.IsChecksumValid)
        {
            return DropReason.IcmpBadChecksum;
        }

        byte type = icmp.Type;
        if (type == IcmpType.EchoRequest)
        {
            return ReplyToEcho(datagram, icmp, now, tx);
        }

        if (type is IcmpType.DestinationUnreachable or IcmpType.TimeExceeded or IcmpType.ParameterProblem)
        {
            return DeliverError(datagram, icmp, now, tx);
        }

        if (IcmpType.IsError(type))
        {
            // Source Quench is deprecated and MUST be ignored (RFC 6633 §3); a host MAY ignore
            // Redirect (RFC 1122 §3.2.2.2 says SHOULD update the route; our routes are static).
            _stats.Increment(StatCounter.IcmpErrorsReceived);
            return DropReason.IcmpErrorIgnored;
        }

        // Echo replies (we send no requests yet), timestamps, address masks...
        return DropReason.IcmpUnsupportedType;
    }

    /// <summary>Errors about ICMP datagrams we sent (echo replies) need no action.</summary>
    public bool HandleIcmpError(in IcmpErrorMessage error, Instant now, IFrameSink tx) => false;

    /// <summary>
    /// Sends an ICMP error about <paramref name="offending"/>, unless RFC 1122 §3.2.2 forbids it
    /// or the rate limit holds it back. Returns whether it was sent (or queued for ARP). UDP
    /// calls this with port unreachable for datagrams to a closed port.
    /// </summary>
    public bool SendError(byte type, byte code, uint restOfHeader, in Ipv4Datagram offending, Instant now, IFrameSink tx)
    {
        if (!MayAnswerWithError(offending))
        {
            return false;
        }

        if (!_errorBucket.TryTake(now))
        {
            _stats.Count(DropReason.IcmpRateLimited);
            return false;
        }

        // Quote the offending header (options included) and as much payload as fits in 576.
        ReadOnlySpan<byte> header = offending.Header;
        int room = MaxErrorDatagramLength - Ipv4Header.Length - IcmpHeader.Length - header.Length;
        ReadOnlySpan<byte> payload = offending.Payload;
        ReadOnlySpan<byte> payloadQuote = payload[..Math.Min(payload.Length, room)];
        int length = IcmpHeader.Length + header.Length + payloadQuote.Length;

        Span<byte> message = _interface.BeginIpv4(offending.Source, IpProtocol.Icmp, dscp: ErrorDscp);
        header.CopyTo(message[IcmpHeader.Length..]);
        payloadQuote.CopyTo(message[(IcmpHeader.Length + header.Length)..]);
        new IcmpHeader(type, code, restOfHeader).WriteTo(message[..length]);
        if (_interface.CommitIpv4(length, TxReason.IcmpError, now, tx) != DropReason.Accepted)
        {
            return false;
        }

        _stats.Increment(StatCounter.IcmpErrorsSent);
        return true;
    }

    /// <summary>
    /// RFC 1122 §3.2.2: "An ICMP error message MUST NOT be sent as the result of receiving: an
    /// ICMP error message, or a datagram destined to an IP broadcast or IP multicast address, or
    /// a datagram sent as a link-layer broadcast, or a non-initial fragment, or a datagram whose
    /// source address does not define a single host."
    /// </summary>
    private bool MayAnswerWithError(in Ipv4Datagram offending)
    {
        if (offending.IsBroadcast || offending.IsLinkBroadcast || offending.Destination.IsMulticast)
        {
            return false;
        }

        if (offending.FragmentOffset != 0 || !_interface.IsValidSource(offending.Source))
        {
            return false;
        }

        // Of ICMP messages, only informational ones may be answered with an error; an unknown
        // type might be an error we do not know, so it gets nothing either (as in Linux).
        if (offending.Protocol == IpProtocol.Icmp)
        {
            ReadOnlySpan<byte> payload = offending.Payload;
            return payload.Length > 0 && IsInformational(payload[0]);
        }

        return true;
    }

    /// <summary>Echo, timestamp, information and address mask requests and replies (RFC 792, RFC 950).</summary>
    private static bool IsInformational(byte type) => type is IcmpType.EchoReply or IcmpType.EchoRequest or (>= 13 and <= 18);

    /// <summary>
    /// RFC 792 echo: the reply carries the request's identifier, sequence number and data,
    /// from our address (RFC 1122 §3.2.2.6: a specific address even if the request was broadcast).
    /// </summary>
    private DropReason ReplyToEcho(in Ipv4Datagram request, in IcmpPacket icmp, Instant now, IFrameSink tx)
    {
        _stats.Increment(StatCounter.IcmpEchoRequestsReceived);

        // RFC 1122 §3.2.2.6 lets a host ignore echo requests to broadcast addresses; Linux does
        // by default (icmp_echo_ignore_broadcasts = 1), so a broadcast ping cannot make every
        // host on a link answer one forged source at once (the smurf attack).
        if (request.IsBroadcast && _ignoreBroadcastEcho)
        {
            return DropReason.IcmpBroadcastEchoIgnored;
        }

        ReadOnlySpan<byte> data = icmp.Data;
        int length = IcmpHeader.Length + data.Length;

        // The reply keeps the request's DSCP, as Linux does (its ECN bits are not ours to echo).
        Span<byte> reply = _interface.BeginIpv4(request.Source, IpProtocol.Icmp, dscp: request.Dscp);
        data.CopyTo(reply[IcmpHeader.Length..]);
        IcmpHeader.Echo(IcmpType.EchoReply, icmp.EchoIdentifier, icmp.EchoSequence).WriteTo(reply[..length]);
        if (_interface.CommitIpv4(length, TxReason.EchoReply, now, tx) == DropReason.Accepted)
        {
            _stats.Increment(StatCounter.IcmpEchoRepliesSent);
        }

        return DropReason.Accepted;
    }

    /// <summary>
    /// Passes an error to the protocol whose datagram it quotes (RFC 1122 §3.2.2), after the one
    /// check that needs no transport state: the quoted datagram must have come from us (RFC 5927 §4.1).
    /// </summary>
    private DropReason DeliverError(in Ipv4Datagram datagram, in IcmpPacket icmp, Instant now, IFrameSink tx)
    {
        _stats.Increment(StatCounter.IcmpErrorsReceived);
        if (datagram.IsBroadcast
            || !icmp.TryGetQuoted(out Ipv4Address quotedSource, out Ipv4Address quotedDestination, out byte quotedProtocol, out ReadOnlySpan<byte> prefix)
            || quotedSource != _interface.Address)
        {
            return DropReason.IcmpErrorIgnored;
        }

        IIpProtocolHandler? handler = _interface.HandlerFor(quotedProtocol);
        if (handler is null || handler == this)
        {
            return DropReason.IcmpErrorIgnored;
        }

        var error = new IcmpErrorMessage(
            icmp.Type,
            icmp.Code,
            icmp.RestOfHeader,
            datagram.Source,
            quotedSource,
            quotedDestination,
            quotedProtocol,
            prefix,
            isLocal: false);
        return handler.HandleIcmpError(error, now, tx) ? DropReason.Accepted : DropReason.IcmpErrorIgnored;
    }
}
