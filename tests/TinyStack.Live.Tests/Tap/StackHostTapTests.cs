using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TinyStack.Host;
using TinyStack.Host.Capture;
using TinyStack.Host.Links;
using TinyStack.Host.Tap;
using TinyStack.Wire;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Tap;

/// <summary>The event loop on a real TAP device, with the kernel as the peer.</summary>
public sealed partial class StackHostTapTests(ITestOutputHelper output)
{
    // An address the kernel never asks about, so the stack (whatever it implements) stays out of
    // the exchanges these tests observe.
    private static NetworkStack NewStack() => new(new StackOptions
    {
        Address = Ipv4Cidr.Parse("10.0.0.99/24"),
        SendGratuitousArp = false,
    });

    [Fact]
    public void The_loop_feeds_the_kernels_frames_to_the_stack_and_a_capture_records_them()
    {
        using var ns = new NetNamespace();
        string capture = Path.Combine(Directory.CreateTempSubdirectory("tinystack-live-").FullName, "tap.pcapng");
        var clock = new StopwatchClock();
        TapDevice tap = TapDevice.Open("tstap0", netns: ns.Name);
        using var link = new CapturingLink(tap, CaptureWriter.Create(capture, clock.WallClockAtZero, tap.Name));
        ns.Ip("addr", "add", "10.0.0.1/24", "dev", "tstap0");

        using (var host = new StackHost(NewStack(), link, clock))
        {
            host.Start();
            using Process ping = Command.Start("ip", "netns", "exec", ns.Name, "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.0.0.2");
            var watch = Stopwatch.StartNew();
            while (host.Counters.FramesReceived == 0 && watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(10);
            }

            ping.WaitForExit();
            host.Stop();
            Assert.True(host.Counters.FramesReceived >= 1, "no frame from the kernel reached the stack");
            Assert.True(host.Completion.IsCompletedSuccessfully);
        }

        link.Dispose();
        string[] lines = Command.Run("tshark", "-r", capture, "-Y", "arp.opcode == 1 && arp.src.proto_ipv4 == 10.0.0.1", "-T", "fields", "-E", "separator=|",
            "-e", "arp.dst.proto_ipv4", "-e", "frame.packet_flags_direction", "-e", "frame.time_epoch").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        string[] fields = lines[0].Split('|');
        Assert.Equal("10.0.0.2", fields[0]);
        Assert.Equal(1, Convert.ToInt32(fields[1], 16)); // inbound
        double epoch = double.Parse(fields[2], CultureInfo.InvariantCulture);
        Assert.InRange(epoch - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), -60, 1);
        Directory.Delete(Path.GetDirectoryName(capture)!, recursive: true);
    }

    [Fact]
    public void Arping_through_the_loop_measures_the_host_latency()
    {
        using var ns = new NetNamespace();
        using TapDevice tap = TapDevice.Open("tstap0", netns: ns.Name);
        ns.Ip("addr", "add", "10.0.0.1/24", "dev", "tstap0");
        var responder = new ArpResponderLink(tap);
        using var host = new StackHost(NewStack(), responder);
        host.Start();

        string result = ns.Exec("arping", "-c", "200", "-W", "0.005", "-w", "20", "-i", "tstap0", "10.0.0.2");
        host.Stop();

        double[] micros = [.. ReplyTime().Matches(result).Select(m =>
            double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * (m.Groups[2].Value switch { "usec" => 1, "msec" => 1000, _ => 1_000_000 }))];
        Array.Sort(micros);
        Assert.True(micros.Length >= 190, $"{micros.Length} of 200 ARP requests answered:\n{result}");
        double p50 = micros[micros.Length / 2];
        double p99 = micros[micros.Length * 99 / 100];
        output.WriteLine($"arping kernel -> TAP -> StackHost -> TAP -> kernel: p50 {p50:0} us, p99 {p99:0} us ({micros.Length} replies)");
        Assert.True(p50 < 5000, $"p50 {p50:0} us");
    }

    [GeneratedRegex(@"time=([\d.]+) (usec|msec|sec)")]
    private static partial Regex ReplyTime();
}
