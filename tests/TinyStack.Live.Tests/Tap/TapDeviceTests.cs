using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TinyStack.Host.Interop;
using TinyStack.Host.Tap;
using TinyStack.Time;

namespace TinyStack.Live.Tests.Tap;

/// <summary>A real TAP device in a private namespace, with the Linux kernel on the other side.</summary>
public class TapDeviceTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Open_creates_the_device_in_the_namespace_up_and_with_the_MTU()
    {
        using var ns = new NetNamespace();
        using (TapDevice tap = TapDevice.Open("tstap0", 1400, ns.Name))
        {
            Assert.Equal("tstap0", tap.Name);
            Assert.Equal(1400, tap.Mtu);
            Assert.True(tap.WaitHandle >= 0);
            Assert.Equal(0, tap.Receive(new byte[1414], Instant.Zero)); // nothing sent yet: EAGAIN is 0
            Assert.Throws<ArgumentException>(() => tap.Receive(new byte[1413], Instant.Zero));

            JsonElement link = ns.Link("tstap0");
            Assert.Equal(1400, link.GetProperty("mtu").GetInt32());
            Assert.Contains("UP", link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

            // Created in the namespace, not where the test runs.
            Assert.NotEqual(0, Command.TryRun("ip", "link", "show", "dev", "tstap0").ExitCode);
        }

        // Not persistent: closing the descriptor removes it.
        Assert.False(ns.HasLink("tstap0"));
    }

    [Fact]
    public void A_name_template_is_filled_in_by_the_kernel()
    {
        using var ns = new NetNamespace();
        using TapDevice tap = TapDevice.Open("tst%d", netns: ns.Name);
        Assert.Equal("tst0", tap.Name);
        Assert.True(ns.HasLink("tst0"));
    }

    [Fact]
    public void The_kernels_ARP_request_arrives_through_Receive()
    {
        using var ns = new NetNamespace();
        using TapDevice tap = TapDevice.Open("tstap0", netns: ns.Name);
        ns.Ip("addr", "add", "10.0.0.1/24", "dev", "tstap0");
        byte[] kernelMac = ns.Mac("tstap0");

        // Pinging 10.0.0.2 makes the kernel ask who has it.
        using Process ping = Command.Start("ip", "netns", "exec", ns.Name, "ping", "-c", "3", "-i", "0.2", "-W", "1", "10.0.0.2");
        try
        {
            byte[] buffer = new byte[tap.Mtu + TapDevice.EthernetHeaderLength];
            var watch = Stopwatch.StartNew();
            bool seen = false;
            while (!seen && watch.Elapsed < s_patience)
            {
                FdPoll.IsReadable(tap.WaitHandle, 100);
                int n;
                while ((n = tap.Receive(buffer, Instant.Zero)) > 0)
                {
                    if (ArpFrames.TryRead(buffer.AsSpan(0, n), out ushort op, out ReadOnlySpan<byte> senderMac, out ReadOnlySpan<byte> senderIp, out ReadOnlySpan<byte> targetIp)
                        && op == ArpFrames.OpRequest)
                    {
                        Assert.Equal(kernelMac, senderMac.ToArray());
                        Assert.Equal(ArpFrames.KernelIp, senderIp.ToArray());
                        Assert.Equal(ArpFrames.OurIp, targetIp.ToArray());
                        seen = true;
                    }
                }
            }

            Assert.True(seen, "no ARP request from the kernel arrived");
            Assert.True(tap.RxFrames >= 1);
        }
        finally
        {
            ping.Kill();
            ping.WaitForExit();
        }
    }

    [Fact]
    public void Transmitted_frames_reach_the_kernel_which_counts_and_answers_them()
    {
        using var ns = new NetNamespace();
        using TapDevice tap = TapDevice.Open("tstap0", netns: ns.Name);
        ns.Ip("addr", "add", "10.0.0.1/24", "dev", "tstap0");
        long before = ns.RxPackets("tstap0");

        byte[] request = ArpFrames.Request(ArpFrames.OurMac, ArpFrames.OurIp, ArpFrames.KernelIp);
        for (int i = 0; i < 5; i++)
        {
            tap.Transmit(request, TxReason.ArpRequest, Instant.Zero);
        }

        Assert.Equal(5, tap.TxFrames);
        Assert.Equal(0, tap.TxDropped + tap.TxErrors);
        Assert.Equal(before + 5, ns.RxPackets("tstap0"));

        // The kernel answers each request with a reply to our MAC.
        byte[] buffer = new byte[tap.Mtu + TapDevice.EthernetHeaderLength];
        int replies = 0;
        var watch = Stopwatch.StartNew();
        while (replies < 5 && watch.Elapsed < s_patience)
        {
            FdPoll.IsReadable(tap.WaitHandle, 100);
            int n;
            while ((n = tap.Receive(buffer, Instant.Zero)) > 0)
            {
                if (ArpFrames.TryRead(buffer.AsSpan(0, n), out ushort op, out _, out ReadOnlySpan<byte> senderIp, out ReadOnlySpan<byte> targetIp)
                    && op == ArpFrames.OpReply)
                {
                    Assert.Equal(ArpFrames.OurMac, buffer[..6]);
                    Assert.Equal(ArpFrames.KernelIp, senderIp.ToArray());
                    Assert.Equal(ArpFrames.OurIp, targetIp.ToArray());
                    replies++;
                }
            }
        }

        Assert.Equal(5, replies);
    }

    [Fact]
    public void A_persistent_device_is_attached_to_and_outlives_the_descriptor()
    {
        using var ns = new NetNamespace();
        ns.Ip("tuntap", "add", "tsp0", "mode", "tap");
        using (TapDevice tap = TapDevice.Open("tsp0", 1500, ns.Name))
        {
            Assert.Equal("tsp0", tap.Name);
            Assert.Contains("UP", ns.Link("tsp0").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        }

        Assert.True(ns.HasLink("tsp0"));
        using TapDevice again = TapDevice.Open("tsp0", 1500, ns.Name);
        Assert.Equal("tsp0", again.Name);
    }

    [Fact]
    public void A_device_another_descriptor_holds_is_reported_busy()
    {
        using var ns = new NetNamespace();
        using TapDevice first = TapDevice.Open("tsbusy0", netns: ns.Name);
        TapException e = Assert.Throws<TapException>(() => TapDevice.Open("tsbusy0", netns: ns.Name));
        Assert.Equal(16, e.Errno); // EBUSY
        Assert.Contains("busy", e.Message, StringComparison.Ordinal);
        Assert.Contains("tsbusy0", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_name_taken_by_another_kind_of_interface_is_explained()
    {
        using var ns = new NetNamespace();
        ns.Ip("tuntap", "add", "tstun0", "mode", "tun");
        TapException e = Assert.Throws<TapException>(() => TapDevice.Open("tstun0", netns: ns.Name));
        Assert.Equal(22, e.Errno); // EINVAL
        Assert.Contains("not a single-queue TAP device", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_CAP_NET_ADMIN_the_message_says_what_is_missing()
    {
        using var ns = new NetNamespace();
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                EnterNamespace(ns.Name);
                Capabilities.DropEffective(Capabilities.NetAdmin);
                TapDevice.Open("tsperm0").Dispose();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();

        TapException tapError = Assert.IsType<TapException>(failure);
        Assert.Equal(1, tapError.Errno); // EPERM
        Assert.Contains("CAP_NET_ADMIN", tapError.Message, StringComparison.Ordinal);
        Assert.False(ns.HasLink("tsperm0"));
    }

    [Fact]
    public void Receive_and_transmit_allocate_nothing_per_frame()
    {
        using var ns = new NetNamespace();
        using TapDevice tap = TapDevice.Open("tstap0", netns: ns.Name);
        ns.Ip("addr", "add", "10.0.0.1/24", "dev", "tstap0");
        byte[] request = ArpFrames.Request(ArpFrames.OurMac, ArpFrames.OurIp, ArpFrames.KernelIp);
        byte[] buffer = new byte[tap.Mtu + TapDevice.EthernetHeaderLength];

        // Each round trip: one frame out, the kernel's ARP reply in.
        int RoundTrips(int count)
        {
            int received = 0;
            for (int i = 0; i < count; i++)
            {
                tap.Transmit(request, TxReason.ArpRequest, Instant.Zero);
                FdPoll.IsReadable(tap.WaitHandle, 1000);
                while (tap.Receive(buffer, Instant.Zero) > 0)
                {
                    received++;
                }
            }

            return received;
        }

        RoundTrips(100);
        int received = 0;
        int windows = 0;
        long allocated = TinyStack.Tests.ThreadAllocations.Fewest(() =>
        {
            windows++;
            received += RoundTrips(1000);
        });

        Assert.True(received >= windows * 990, $"only {received} of {windows * 1000} replies arrived");
        Assert.Equal(0, allocated);
    }

    private static void EnterNamespace(string name)
    {
        int fd = LibC.Open("/run/netns/" + name, LibC.ORdOnly | LibC.OCloExec);
        Assert.True(fd >= 0, $"open /run/netns/{name}: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            Assert.Equal(0, LibC.SetNs(fd, LibC.CloneNewNet));
        }
        finally
        {
            LibC.Close(fd);
        }
    }
}
