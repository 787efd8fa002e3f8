using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>IPv4 output: build in place, route, resolve, fragment, emit.</summary>
internal sealed partial class NetInterface
{
    private bool _building;
    private Ipv4Address _buildDestination;
    private byte _buildProtocol;
    private bool _buildDontFragment;
    private byte _buildDscp;
    private byte _buildEcn;

    /// <summary>Our source address, for the pseudo-header checksums of UDP and TCP.</summary>
    public Ipv4Address SourceAddress => _address;

    /// <summary>The largest payload that leaves as one frame (the TCP MSS is this minus the TCP header).</summary>
    public int MaxPayloadWithoutFragmentation => Mtu - Ipv4Header.Length;

    /// <summary>
    /// Starts a datagram to <paramref name="destination"/>: returns the payload area inside the
    /// transmit buffer (up to 65515 bytes) for the protocol to write its segment into, in place.
    /// Finish with <see cref="CommitIpv4"/>; do not start another datagram in between.
    /// </summary>
    /// <param name="dontFragment">Set DF (TCP, for path MTU discovery, RFC 1191); the payload must then fit <see cref="MaxPayloadWithoutFragmentation"/>.</param>
    /// <param name="dscp">Differentiated services code point (RFC 2474).</param>
    /// <param name="ecn">ECN codepoint (RFC 3168), e.g. ECT(0) = 2 on TCP data when ECN was negotiated.</param>
    public Span<byte> BeginIpv4(Ipv4Address destination, byte protocol, bool dontFragment = false, byte dscp = 0, byte ecn = 0)
    {
        _building = true;
        _buildDestination = destination;
        _buildProtocol = protocol;
        _buildDontFragment = dontFragment;
        _buildDscp = dscp;
        _buildEcn = ecn;
        return _tx.AsSpan(PayloadOffset, Ipv4Header.MaxPayloadLength);
    }

    /// <summary>
    /// Sends the datagram started by <see cref="BeginIpv4"/> whose payload is the first
    /// <paramref name="payloadLength"/> bytes of the span it returned: writes the IPv4 header
    /// (our address, <see cref="StackOptions.DefaultTtl"/>, a fresh Identification), finds the
    /// route and the neighbour, and emits it, in fragments when larger than the MTU. Returns
    /// <see cref="DropReason.Accepted"/> when sent or queued for ARP; otherwise why it was
    /// dropped (already counted in <see cref="Stats"/>).
    /// </summary>
    public DropReason CommitIpv4(int payloadLength, in TxNote note, Instant now, IFrameSink tx)
    {
        if (!_building)
        {
            throw new InvalidOperationException("CommitIpv4 needs BeginIpv4 first: write the payload into the span BeginIpv4 returns, then commit it once.");
        }

        _building = false;
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, Ipv4Header.MaxPayloadLength);
        if (_buildDontFragment && payloadLength > MaxPayloadWithoutFragmentation)
        {
            throw new ArgumentException(
                $"A {payloadLength}-byte payload with DontFragment does not fit the {Mtu}-byte MTU; send at most {MaxPayloadWithoutFragmentation} bytes.",
                nameof(payloadLength));
        }

        var header = new Ipv4Header(
            _address,
            _buildDestination,
            _buildProtocol,
            payloadLength,
            _options.DefaultTtl,
            _identification.Next(_buildDestination, _buildProtocol),
            _buildDontFragment,
            Dscp: _buildDscp,
            Ecn: _buildEcn);
        header.WriteTo(_tx.AsSpan(IpOffset));
        _stats.Increment(StatCounter.Ipv4DatagramsSent);
        return Route(_buildDestination, header.TotalLength, note, now, tx);
    }

    /// <summary>Sends a payload by copying it: <see cref="BeginIpv4"/>, copy, <see cref="CommitIpv4"/>.</summary>
    public DropReason SendIpv4(Ipv4Address destination, byte protocol, ReadOnlySpan<byte> payload, in TxNote note, Instant now, IFrameSink tx)
    {
        if (payload.Length > Ipv4Header.MaxPayloadLength)
        {
            throw new ArgumentException($"An IPv4 payload holds at most {Ipv4Header.MaxPayloadLength} bytes, not {payload.Length}; split the data.", nameof(payload));
        }

        Span<byte> area = BeginIpv4(destination, protocol);
        payload.CopyTo(area);
        return CommitIpv4(payload.Length, note, now, tx);
    }

    /// <summary>Chooses the link-layer destination for the datagram in the transmit buffer and sends it.</summary>
    private DropReason Route(Ipv4Address destination, int datagramLength, in TxNote note, Instant now, IFrameSink tx)
    {
        MacAddress mac;
        if (IsBroadcastAddress(destination))
        {
            mac = MacAddress.Broadcast;
        }
        else if (destination.IsMulticast)
        {
            // RFC 1112 §6.4: 01-00-5E followed by the low 23 bits of the group address.
            mac = MacAddress.FromUInt64(0x0100_5E00_0000UL | (destination.Value & 0x007F_FFFF));
        }
        else if (destination == _address || destination.IsLoopback || !Routes.TryLookup(destination, out Ipv4Address nextHop))
        {
            // No loopback device: datagrams to ourselves have nowhere to go.
            _stats.Count(DropReason.NoRoute);
            if (LogEnabled(StackLogLevel.Debug))
            {
                Log(StackLogLevel.Debug, $"no route to {destination}");
            }

            return DropReason.NoRoute;
        }
        else if (!TryResolve(nextHop, datagramLength, note, now, tx, out mac, out DropReason verdict))
        {
            return verdict;
        }

        TransmitDatagram(mac, datagramLength, note, tx);
        return DropReason.Accepted;
    }

    /// <summary>
    /// Emits the datagram at <c>_tx[IpOffset..]</c> to <paramref name="mac"/>, fragmenting it
    /// when it exceeds the MTU (RFC 791 §3.2; RFC 1122 §3.3.3).
    /// <para>
    /// Fragmentation is done in place without copying data: fragment k's payload already sits at
    /// its place in the buffer, so its Ethernet and IP headers are written into the 34 bytes just
    /// before it. Those bytes are the tail of fragment k-1, which the sink has already taken.
    /// </para>
    /// </summary>
    private void TransmitDatagram(MacAddress mac, int datagramLength, in TxNote note, IFrameSink tx)
    {
        var ethernet = new EthernetHeader(mac, _mac, EtherType.Ipv4);
        if (datagramLength <= Mtu)
        {
            ethernet.WriteTo(_tx);
            Emit(_tx.AsSpan(0, EthernetHeader.Length + datagramLength), note, tx);
            return;
        }

        // Our datagrams carry no options, so every fragment's header is 20 bytes, and the header
        // is copied into every fragment (RFC 791: options are only copied if flagged; we have none).
        Ipv4Packet.TryCreate(_tx.AsSpan(IpOffset, datagramLength), out Ipv4Packet packet);
        Ipv4Header original = packet.ToHeader();
        int payloadLength = original.PayloadLength;

        // Every fragment but the last carries a multiple of 8 bytes (offsets count 8-byte units).
        int chunk = (Mtu - Ipv4Header.Length) & ~7;
        int fragments = 0;
        for (int offset = 0; offset < payloadLength; offset += chunk)
        {
            int size = Math.Min(chunk, payloadLength - offset);
            int ipStart = IpOffset + offset;
            Ipv4Header header = original with
            {
                PayloadLength = size,
                DontFragment = false,
                MoreFragments = offset + size < payloadLength,
                FragmentOffset = offset,
            };
            header.WriteTo(_tx.AsSpan(ipStart));
            ethernet.WriteTo(_tx.AsSpan(ipStart - EthernetHeader.Length));
            TxNote fragmentNote = offset == 0 ? note : new TxNote(TxReason.Fragment, fragments);
            Emit(_tx.AsSpan(ipStart - EthernetHeader.Length, EthernetHeader.Length + Ipv4Header.Length + size), fragmentNote, tx);
            fragments++;
        }

        _stats.Increment(StatCounter.DatagramsFragmented);
        _stats.Add(StatCounter.FragmentsSent, fragments);
    }
}
