using TinyStack.Interface;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// Joins the TCP layer to the IPv4 interface: IP hands TCP its datagrams and ICMP errors, TCP
/// hands IP segments built in place in the interface's transmit buffer. TCP only transmits while
/// it is processing (a segment, a timer, an ICMP error), so the binding remembers the time and
/// the frame sink of the call in progress.
/// </summary>
internal sealed class TcpIpv4Binding : IIpProtocolHandler, ITcpTransmitter
{
    private readonly NetInterface _interface;
    private Instant _now;
    private IFrameSink? _tx;
    private int _segmentLength;

    public TcpIpv4Binding(NetInterface netInterface, StackOptions options, ulong seed)
    {
        _interface = netInterface;
        Layer = new TcpLayer(this, options.Address.Address, options.Tcp, seed, options.Logger);
        netInterface.Register(IpProtocol.Tcp, this);
    }

    public TcpLayer Layer { get; }

    public Instant NextDeadline => Layer.NextDeadline;

    public DropReason HandleDatagram(in Ipv4Datagram datagram, Instant now, IFrameSink tx)
    {
        // RFC 9293 §3.9.1 / RFC 1122 §4.2.3.10: TCP is unicast only; segments sent to a broadcast
        // address are silently discarded (never answered with RST).
        if (datagram.IsBroadcast || datagram.IsLinkBroadcast)
        {
            return DropReason.TcpNoConnection;
        }

        Bind(now, tx);
        return Layer.HandleSegment(datagram.Source, datagram.Destination, datagram.Payload, now);
    }

    public bool HandleIcmpError(in IcmpErrorMessage error, Instant now, IFrameSink tx)
    {
        Bind(now, tx);
        return Layer.HandleIcmpError(error.Type, error.Code, error.NextHopMtu, error.QuotedSource, error.QuotedDestination, error.TransportPrefix, now);
    }

    public void Poll(Instant now, IFrameSink tx)
    {
        Bind(now, tx);
        Layer.Poll(now);
    }

    public Span<byte> BeginSegment(Ipv4Address source, Ipv4Address destination, int tcpLength)
    {
        if (_tx is null || tcpLength > _interface.MaxPayloadWithoutFragmentation)
        {
            return Span<byte>.Empty;
        }

        _segmentLength = tcpLength;

        // DF on every segment: TCP discovers the path MTU instead of being fragmented (RFC 1191).
        return _interface.BeginIpv4(destination, IpProtocol.Tcp, dontFragment: true)[..tcpLength];
    }

    public void CommitSegment(in TxNote note) => _interface.CommitIpv4(_segmentLength, note, _now, _tx!);

    public int PathMtu(Ipv4Address destination) => _interface.Mtu;

    private void Bind(Instant now, IFrameSink tx)
    {
        _now = now;
        _tx = tx;
    }
}
