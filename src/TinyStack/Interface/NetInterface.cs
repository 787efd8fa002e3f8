using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>
/// The Ethernet interface of a host: takes frames in, answers ARP, validates and reassembles
/// IPv4, hands datagrams to the registered protocols, and turns their datagrams back into frames
/// (route, resolve, fragment). Split by concern: <c>NetInterface.Arp.cs</c>,
/// <c>NetInterface.Ipv4.cs</c> (receive) and <c>NetInterface.Transmit.cs</c>.
/// <para>
/// Frames are built in place in one preallocated transmit buffer: Ethernet header, IPv4 header,
/// payload, with room for the largest datagram. A sink sees each frame only during its
/// <see cref="IFrameSink.Transmit"/> call and must not call back into the stack.
/// </para>
/// </summary>
internal sealed partial class NetInterface
{
    /// <summary>Where the IPv4 header starts in the transmit buffer.</summary>
    private const int IpOffset = EthernetHeader.Length;

    /// <summary>Where the payload of a datagram we originate starts (we emit no IP options).</summary>
    private const int PayloadOffset = IpOffset + Ipv4Header.Length;

    private readonly byte[] _tx = new byte[EthernetHeader.Length + ushort.MaxValue];

    // ARP frames get their own buffer so a request can go out while a datagram waits in _tx.
    private readonly byte[] _arpFrame = new byte[EthernetHeader.Length + ArpRepr.Length];

    private readonly StackOptions _options;
    private readonly Stats _stats;
    private readonly IStackLogger? _logger;
    private readonly MacAddress _mac;
    private readonly Ipv4Cidr _subnet;
    private readonly Ipv4Address _address;
    private readonly Ipv4Identification _identification;
    private readonly IIpProtocolHandler?[] _handlers = new IIpProtocolHandler?[256];
    private readonly List<IIpProtocolHandler> _timerHandlers = [];
    private bool _gratuitousArpDue;

    public NetInterface(StackOptions options, Stats stats, SeededRandom random)
    {
        _options = options;
        _stats = stats;
        _logger = options.Logger;
        _mac = options.Mac;
        _subnet = options.Address;
        _address = options.Address.Address;
        Mtu = options.Mtu;
        _identification = new Ipv4Identification(random);
        Routes = new RouteTable();
        Routes.AddOnLink(options.Address);
        if (options.Gateway is Ipv4Address gateway)
        {
            Routes.AddVia(new Ipv4Cidr(Ipv4Address.Any, 0), gateway);
        }

        Neighbors = new NeighborCache(options.ArpCacheCapacity, options.ArpEntryLifetime, options.ArpStaleEntryLifetime);
        Reassembler = new Ipv4Reassembler(options.ReassemblyMaxDatagrams, options.ReassemblyMemoryLimit, options.ReassemblyTimeout);
        Icmp = new Icmp(this, options, stats);
        _handlers[IpProtocol.Icmp] = Icmp;
        _gratuitousArpDue = options.SendGratuitousArp;
    }

    public MacAddress Mac => _mac;

    public Ipv4Address Address => _address;

    public int Mtu { get; }

    public RouteTable Routes { get; }

    public NeighborCache Neighbors { get; }

    public Ipv4Reassembler Reassembler { get; }

    public Icmp Icmp { get; }

    /// <summary>When <see cref="Poll"/> must run next: the earliest ARP, reassembly or protocol timer.</summary>
    public Instant NextDeadline
    {
        get
        {
            // Instant.Zero is before any time the host passes: "poll at once".
            Instant next = _gratuitousArpDue ? Instant.Zero : Instant.MaxValue;
            next = Instant.Min(next, Neighbors.NextDeadline);
            next = Instant.Min(next, Reassembler.NextDeadline);
            foreach (IIpProtocolHandler handler in _timerHandlers)
            {
                next = Instant.Min(next, handler.NextDeadline);
            }

            return next;
        }
    }

    /// <summary>The handler registered for <paramref name="protocol"/>, if any.</summary>
    public IIpProtocolHandler? HandlerFor(byte protocol) => _handlers[protocol];

    /// <summary>Plugs a transport protocol in; each protocol number takes one handler.</summary>
    public void Register(byte protocol, IIpProtocolHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_handlers[protocol] is not null)
        {
            throw new InvalidOperationException($"IP protocol {protocol} already has a handler; register each protocol once.");
        }

        _handlers[protocol] = handler;
        _timerHandlers.Add(handler);
    }

    /// <summary>
    /// Ethernet dispatch: accept frames to our MAC or broadcast, IPv4 and ARP only (RFC 894
    /// framing). Everything else is counted and dropped.
    /// </summary>
    public DropReason Receive(ReadOnlySpan<byte> frame, Instant now, IFrameSink tx)
    {
        if (!EthernetFrame.TryCreate(frame, out EthernetFrame ethernet))
        {
            return DropReason.EthernetTruncated;
        }

        MacAddress destination = ethernet.Destination;
        bool linkBroadcast = false;
        if (destination != _mac)
        {
            if (destination.IsBroadcast)
            {
                linkBroadcast = true;
            }
            else
            {
                // We join no multicast groups (no IGMP), so no multicast frame is for us.
                return destination.IsMulticast ? DropReason.EthernetMulticast : DropReason.EthernetNotForUs;
            }
        }

        return ethernet.EtherType switch
        {
            EtherType.Ipv4 => ReceiveIpv4(ethernet.Payload, linkBroadcast, now, tx),
            EtherType.Arp => ReceiveArp(ethernet.Payload, now, tx),
            _ when ethernet.IsVlanTagged => DropReason.EthernetVlanTagged,
            _ => DropReason.EthernetUnsupportedType,
        };
    }

    /// <summary>Runs every due timer: the start-up announcement, ARP, reassembly, then the protocols.</summary>
    public void Poll(Instant now, IFrameSink tx)
    {
        if (_gratuitousArpDue)
        {
            _gratuitousArpDue = false;
            SendGratuitousArp(tx);
        }

        PollNeighbors(now, tx);
        PollReassembly(now, tx);
        foreach (IIpProtocolHandler handler in _timerHandlers)
        {
            if (handler.NextDeadline <= now)
            {
                handler.Poll(now, tx);
            }
        }
    }

    /// <summary>The one exit of every frame: counts it and hands it to the sink.</summary>
    private void Emit(ReadOnlySpan<byte> frame, in TxNote note, IFrameSink tx)
    {
        _stats.Increment(StatCounter.FramesSent);
        _stats.Add(StatCounter.BytesSent, frame.Length);
        tx.Transmit(frame, note);
    }

    private bool LogEnabled(StackLogLevel level) => _logger is not null && _logger.IsEnabled(level);

    private void Log(StackLogLevel level, string message) => _logger?.Log(level, message);
}
