using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Initial sequence numbers per RFC 6528: a keyed hash of the 4-tuple plus a 4 µs clock.</summary>
public class IsnTests
{
    private static readonly TcpTuple s_tuple = new(LocalIp, 80, RemoteIp, 40000);

    [Fact]
    public void The_isn_advances_with_a_4_microsecond_clock()
    {
        var secrets = new TcpSecrets(7);
        Instant t = Instant.FromMilliseconds(5000);
        uint a = secrets.InitialSequenceNumber(s_tuple, t);
        uint b = secrets.InitialSequenceNumber(s_tuple, t + Duration.FromMilliseconds(4));
        Assert.Equal(1000u, unchecked(b - a));
        Assert.Equal(a, secrets.InitialSequenceNumber(s_tuple, t));
    }

    [Fact]
    public void Different_tuples_and_seeds_give_unrelated_isns()
    {
        var secrets = new TcpSecrets(7);
        Instant t = Instant.FromMilliseconds(5000);
        uint a = secrets.InitialSequenceNumber(s_tuple, t);
        uint b = secrets.InitialSequenceNumber(s_tuple with { RemotePort = 40001 }, t);
        uint c = new TcpSecrets(8).InitialSequenceNumber(s_tuple, t);

        // Neighbouring tuples must not give neighbouring numbers (the offset is a keyed hash).
        Assert.True(Math.Abs((int)unchecked(a - b)) > 1_000_000);
        Assert.True(Math.Abs((int)unchecked(a - c)) > 1_000_000);
    }

    [Fact]
    public void Connections_use_the_generated_isn()
    {
        var h = new TcpHarness();
        TcpConnection c = h.Connect(out _);
        var expected = new TcpSecrets(42).InitialSequenceNumber(c.Tuple, h.Now);
        Assert.Equal(expected, h.Next().Seq);
        Assert.Equal(expected, c.Iss.Value);
    }
}
