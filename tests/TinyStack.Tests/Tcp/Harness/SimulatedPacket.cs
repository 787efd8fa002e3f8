using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tests.Tcp.Harness;

/// <summary>A segment travelling through a <see cref="SimulatedNetwork"/>.</summary>
internal struct SimulatedPacket
{
    public Instant DeliverAt;
    public long Order;
    public byte[] Buffer;
    public int Length;
    public Ipv4Address Source;
    public Ipv4Address Destination;
    public SimulatedEndpoint To;
}
