using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Connect picks ephemeral ports per RFC 6056 Algorithm 4 within Linux's range.</summary>
public class EphemeralPortAllocationTests
{
    [Fact]
    public void Connect_picks_ports_in_range_stepping_by_one_per_destination()
    {
        var h = new TcpHarness();
        TcpConnection a = h.Layer.Connect(RemoteIp, 80, h.Now);
        TcpConnection b = h.Layer.Connect(RemoteIp, 80, h.Now);
        Assert.InRange(a.Tuple.LocalPort, (ushort)32768, (ushort)60999);
        Assert.Equal(a.Tuple.LocalPort == 60999 ? 32768 : a.Tuple.LocalPort + 1, b.Tuple.LocalPort);
        Assert.Equal(LocalIp, a.Tuple.LocalAddress);
    }

    [Fact]
    public void Ports_with_a_listener_or_a_live_tuple_are_skipped()
    {
        var settings = new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, EphemeralPortFirst = 40000, EphemeralPortLast = 40002 };
        var h = new TcpHarness(settings);
        h.Layer.Listen(40001);
        var used = new HashSet<ushort>
        {
            h.Layer.Connect(RemoteIp, 80, h.Now).Tuple.LocalPort,
            h.Layer.Connect(RemoteIp, 80, h.Now).Tuple.LocalPort,
        };
        Assert.Equal(new HashSet<ushort> { 40000, 40002 }, used);
        var error = Assert.Throws<InvalidOperationException>(() => h.Layer.Connect(RemoteIp, 80, h.Now));
        Assert.Contains("ephemeral", error.Message, StringComparison.Ordinal);

        // Another destination port is another tuple: the same local ports serve again.
        Assert.Contains(h.Layer.Connect(RemoteIp, 443, h.Now).Tuple.LocalPort, used);
    }

    [Fact]
    public void Bad_connect_arguments_throw_clear_errors()
    {
        var h = new TcpHarness();
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Layer.Connect(RemoteIp, 0, h.Now));
        Assert.Throws<ArgumentException>(() => h.Layer.Connect(TinyStack.Wire.Ipv4Address.Broadcast, 80, h.Now));
        h.Layer.Connect(RemoteIp, 80, h.Now, localPort: 5000);
        Assert.Throws<InvalidOperationException>(() => h.Layer.Connect(RemoteIp, 80, h.Now, localPort: 5000));
    }
}
