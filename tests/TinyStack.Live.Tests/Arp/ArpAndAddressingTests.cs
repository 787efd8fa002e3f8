using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Arp;

/// <summary>ARP from the kernel, and frames that are not for TinyStack, on a real TAP.</summary>
[Collection(LiveCollection.Name)]
public sealed class ArpAndAddressingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public void Arping_is_answered_with_the_stacks_mac()
    {
        using Lab lab = new();
        lab.StartStack();
        ProcessResult result = lab.Exec(s_timeout, "arping", "-c", "3", "-i", "br0", "10.0.0.2");
        output.WriteLine(result.ToString());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("3 packets received", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("02:54:53:00:00:02", result.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Kernel_learns_the_stack_from_its_gratuitous_arp()
    {
        using Lab lab = new();

        // With arp_accept, Linux creates a neighbour entry from an unsolicited announcement.
        Assert.Equal(0, lab.Exec(s_timeout, "sysctl", "-qw", "net.ipv4.conf.br0.arp_accept=1").ExitCode);
        lab.StartStack();

        // Nothing has asked for 10.0.0.2, yet the kernel knows it: the announcement at start
        // (gratuitous ARP, RFC 5227 §2.3) created the entry.
        string neighbours = "";
        for (int i = 0; i < 50 && !neighbours.Contains("02:54:53:00:00:02", StringComparison.OrdinalIgnoreCase); i++)
        {
            Thread.Sleep(100);
            neighbours = lab.Exec(s_timeout, "ip", "neigh", "show", "10.0.0.2").Stdout;
        }

        output.WriteLine(neighbours);
        Assert.Contains("02:54:53:00:00:02", neighbours, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Frames_for_another_mac_or_ip_are_ignored_and_counted()
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack("tap0", "10.0.0.2/24", "--log", "debug");
        const string Script = """
            from scapy.all import Ether, IP, ICMP, srp, conf
            conf.verb = 0
            wrong_mac = Ether(dst="02:00:00:00:99:99") / IP(dst="10.0.0.2") / ICMP(id=7, seq=1)
            wrong_ip = Ether(dst="02:54:53:00:00:02") / IP(dst="10.0.0.99") / ICMP(id=7, seq=2)
            right = Ether(dst="02:54:53:00:00:02") / IP(dst="10.0.0.2") / ICMP(id=7, seq=3)
            for name, pkt in (("wrong_mac", wrong_mac), ("wrong_ip", wrong_ip), ("right", right)):
                ans, _ = srp(pkt, iface="br0", timeout=1.5)
                print(name, len(ans))
            """;
        // Debian's interpreter, where python3-scapy is installed (a PATH python3 may be another one).
        ProcessResult result = lab.Exec(s_timeout, "/usr/bin/python3", "-c", Script);
        output.WriteLine(result.ToString());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("wrong_mac 0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("wrong_ip 0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("right 1", result.Stdout, StringComparison.Ordinal);

        string counters = stack.Stop();
        output.WriteLine(counters);
        Assert.Matches(@"EthernetNotForUs\s+[1-9]", counters);
        Assert.Matches(@"Ipv4NotForUs\s+[1-9]", counters);
    }
}
