using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Tcp.Harness;

/// <summary>One TCP layer attached to a <see cref="SimulatedNetwork"/>.</summary>
internal sealed class SimulatedEndpoint : ITcpTransmitter
{
    private readonly SimulatedNetwork _network;
    private byte[]? _pending;
    private int _pendingLength;
    private Ipv4Address _pendingSource;
    private Ipv4Address _pendingDestination;

    public SimulatedEndpoint(SimulatedNetwork network, Ipv4Address address, TcpSettings settings, ulong seed)
    {
        _network = network;
        Address = address;
        Layer = new TcpLayer(this, address, settings, seed);
    }

    public Ipv4Address Address { get; }

    public TcpLayer Layer { get; }

    public int Mtu { get; set; } = 1500;

    public long SegmentsSent { get; private set; }

    public Span<byte> BeginSegment(Ipv4Address source, Ipv4Address destination, int tcpLength)
    {
        _pending = _network.RentBuffer();
        _pendingLength = tcpLength;
        _pendingSource = source;
        _pendingDestination = destination;
        return _pending.AsSpan(0, tcpLength);
    }

    public void CommitSegment(in TxNote note)
    {
        SegmentsSent++;
        _network.Transmit(_pending!, _pendingLength, _pendingSource, _pendingDestination);
        _pending = null;
    }

    public int PathMtu(Ipv4Address destination) => Mtu;
}
