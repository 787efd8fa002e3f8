using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tests.Tcp.Harness;

/// <summary>
/// Two TCP layers joined by a link with a fixed latency and seeded faults (drop, duplicate,
/// reorder by extra delay), all in virtual time. Packet buffers are pooled so that a run without
/// faults allocates nothing per segment.
/// </summary>
internal sealed class SimulatedNetwork
{
    private readonly List<SimulatedPacket> _inFlight = new(4096);
    private readonly Stack<byte[]> _pool = new();
    private readonly Random _random;
    private long _order;

    public SimulatedNetwork(TcpSettings? settings = null, ulong seed = 1)
    {
        _random = new Random((int)seed);
        TcpSettings s = settings ?? new TcpSettings();
        A = new SimulatedEndpoint(this, new Ipv4Address(10, 0, 0, 1), s, seed * 3);
        B = new SimulatedEndpoint(this, new Ipv4Address(10, 0, 0, 2), s, (seed * 3) + 1);
        for (int i = 0; i < 1024; i++)
        {
            _pool.Push(new byte[2048]);
        }
    }

    public SimulatedEndpoint A { get; }

    public SimulatedEndpoint B { get; }

    public Instant Now { get; private set; } = Instant.FromMilliseconds(1000);

    public Duration Latency { get; set; } = Duration.FromMilliseconds(5);

    public double DropRate { get; set; }

    public double DuplicateRate { get; set; }

    public double ReorderRate { get; set; }

    /// <summary>Drops every packet while true (a link outage).</summary>
    public bool Down { get; set; }

    public long Delivered { get; private set; }

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    public byte[] RentBuffer() => _pool.Count > 0 ? _pool.Pop() : new byte[2048];

    public void Transmit(byte[] buffer, int length, Ipv4Address source, Ipv4Address destination)
    {
        SimulatedEndpoint to = destination == A.Address ? A : B;
        if (Down || (DropRate > 0 && _random.NextDouble() < DropRate))
        {
            Dropped++;
            _pool.Push(buffer);
            return;
        }

        Instant deliverAt = Now + Latency;
        if (ReorderRate > 0 && _random.NextDouble() < ReorderRate)
        {
            deliverAt += Duration.FromMicroseconds(_random.Next(1, 3000));
        }

        Enqueue(buffer, length, source, destination, to, deliverAt);
        if (DuplicateRate > 0 && _random.NextDouble() < DuplicateRate)
        {
            Duplicated++;
            byte[] copy = RentBuffer();
            buffer.AsSpan(0, length).CopyTo(copy);
            Enqueue(copy, length, source, destination, to, deliverAt + Duration.FromMicroseconds(_random.Next(0, 2000)));
        }
    }

    /// <summary>Runs events (deliveries and timers) until <paramref name="done"/> holds or <paramref name="until"/> passes; calls <paramref name="step"/> after each.</summary>
    public bool Run(Func<bool> done, Instant until, Action? step = null)
    {
        step?.Invoke();
        while (!done())
        {
            Instant next = Instant.Min(A.Layer.NextDeadline, B.Layer.NextDeadline);
            int index = EarliestPacket();
            if (index >= 0)
            {
                next = Instant.Min(next, _inFlight[index].DeliverAt);
            }

            if (next > until)
            {
                Now = until;
                return false;
            }

            Now = Instant.Max(Now, next);
            if (index >= 0 && _inFlight[index].DeliverAt <= Now)
            {
                SimulatedPacket packet = _inFlight[index];
                _inFlight[index] = _inFlight[^1];
                _inFlight.RemoveAt(_inFlight.Count - 1);
                Delivered++;
                packet.To.Layer.HandleSegment(packet.Source, packet.Destination, packet.Buffer.AsSpan(0, packet.Length), Now);
                _pool.Push(packet.Buffer);
            }

            if (A.Layer.NextDeadline <= Now)
            {
                A.Layer.Poll(Now);
            }

            if (B.Layer.NextDeadline <= Now)
            {
                B.Layer.Poll(Now);
            }

            step?.Invoke();
        }

        return true;
    }

    private void Enqueue(byte[] buffer, int length, Ipv4Address source, Ipv4Address destination, SimulatedEndpoint to, Instant deliverAt)
    {
        _inFlight.Add(new SimulatedPacket
        {
            DeliverAt = deliverAt,
            Order = _order++,
            Buffer = buffer,
            Length = length,
            Source = source,
            Destination = destination,
            To = to,
        });
    }

    private int EarliestPacket()
    {
        int best = -1;
        for (int i = 0; i < _inFlight.Count; i++)
        {
            SimulatedPacket p = _inFlight[i];
            if (best < 0 || p.DeliverAt < _inFlight[best].DeliverAt
                || (p.DeliverAt == _inFlight[best].DeliverAt && p.Order < _inFlight[best].Order))
            {
                best = i;
            }
        }

        return best;
    }
}
