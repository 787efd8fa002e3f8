using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Tcp;

public class EphemeralPortsTests
{
    private static readonly Ipv4Address s_local = new(10, 0, 0, 2);
    private static readonly Ipv4Address s_remote = new(10, 0, 0, 1);

    [Fact]
    public void Ports_stay_in_range_and_consecutive_connections_to_one_destination_step_by_one()
    {
        var ports = new EphemeralPorts(new TcpSecrets(1), 32768, 60999);
        ushort first = ports.Allocate(s_local, s_remote, 80, _ => true);
        ushort second = ports.Allocate(s_local, s_remote, 80, _ => true);
        Assert.InRange(first, (ushort)32768, (ushort)60999);
        Assert.Equal(first == 60999 ? 32768 : first + 1, second);
    }

    [Fact]
    public void The_sequence_depends_on_the_seed()
    {
        ushort a = new EphemeralPorts(new TcpSecrets(1), 32768, 60999).Allocate(s_local, s_remote, 80, _ => true);
        ushort b = new EphemeralPorts(new TcpSecrets(2), 32768, 60999).Allocate(s_local, s_remote, 80, _ => true);
        ushort again = new EphemeralPorts(new TcpSecrets(1), 32768, 60999).Allocate(s_local, s_remote, 80, _ => true);
        Assert.NotEqual(a, b);
        Assert.Equal(a, again);
    }

    [Fact]
    public void Skips_busy_ports_and_reports_exhaustion()
    {
        var ports = new EphemeralPorts(new TcpSecrets(1), 40000, 40003);
        var used = new HashSet<ushort>();
        for (int i = 0; i < 4; i++)
        {
            ushort port = ports.Allocate(s_local, s_remote, 80, p => !used.Contains(p));
            Assert.True(used.Add(port));
        }

        Assert.Equal(0, ports.Allocate(s_local, s_remote, 80, p => !used.Contains(p)));
    }
}
