using System.Diagnostics;
using TinyStack.Host.Links;
using TinyStack.Simulation.Tests.Harness;
using TinyStack.Tcp;
using Xunit.Abstractions;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>
/// The live lab's failure mode without the lab: 1% random loss in each direction (ACKs too) at a
/// 60 us RTT, with a receiver that thins its duplicate ACKs like Linux (<see cref="LinuxReceiverAckLink"/>).
/// Then the ACK that answers a fast retransmission often acknowledges the whole flight alone, and
/// when that one ACK is lost the sender, in fast recovery with cwnd used up, hears nothing more.
/// Before probes ran in recovery, each such loss cost a 200 ms retransmission timeout (3,000
/// RTTs here), and a lost retransmission after a timeout cost another 400 ms.
/// </summary>
public sealed class LinuxLikeReceiverLossSimulationTests(ITestOutputHelper output)
{
    private const long Size = 64L * 1024 * 1024;

    [Theory]
    [InlineData("cubic", 1UL)]
    [InlineData("cubic", 2UL)]
    [InlineData("newreno", 1UL)]
    [InlineData("newreno", 2UL)]
    public void A_lost_ack_of_the_whole_flight_costs_a_probe_not_a_timeout(string name, ulong seed)
    {
        Stopwatch clock = Stopwatch.StartNew();
        (double lossFree, _, _) = Transfer(name, seed, dropRate: 0);
        (double lossy, long timeouts, string details) = Transfer(name, seed, dropRate: 0.01);
        double ratio = lossy / lossFree;
        output.WriteLine($"{name}, seed {seed}: 64 MiB at 60 us RTT to a Linux-like receiver, loss-free {lossFree / 1e6:F0} Mbit/s, "
            + $"1% loss each way {lossy / 1e6:F0} Mbit/s = {ratio:P1}; {details}; {clock.Elapsed.TotalSeconds:F1} s wall clock");
        Assert.True(ratio >= 0.6, $"{name} kept only {ratio:P1} of its loss-free throughput at 1% loss; {details}");
        Assert.True(timeouts == 0, $"{name}: {timeouts} retransmission timeouts; {details}");
    }

    /// <summary>Moves <see cref="Size"/> bytes from client to server; returns goodput in bit/s, the RTO count and a summary.</summary>
    private static (double BitsPerSecond, long Timeouts, string Details) Transfer(string name, ulong seed, double dropRate)
    {
        LinuxReceiverAckLink? receiverLink = null;
        TapSpeedTransfer.Result result = TapSpeedTransfer.Run(name, seed, Size, dropRate, receiverLink: end => receiverLink = new LinuxReceiverAckLink(end));
        FaultInjectingLink link = result.Link;
        TcpStats stats = result.Stats;
        Assert.True(dropRate == 0 || (link.Stats.Outbound.Dropped > 0 && link.Stats.Inbound.Dropped > 0), "the link must really have dropped frames both ways");
        Assert.True(dropRate == 0 || receiverLink!.Compressed > 0, "the receiver must really have compressed duplicate ACKs");
        string details = $"dropped {link.Stats.Outbound.Dropped} data and {link.Stats.Inbound.Dropped} ACK frames, {receiverLink!.Compressed} duplicate ACKs compressed, {receiverLink.WindowUpdatesSuppressed} window updates suppressed, "
            + $"retransmitted {result.Sender.Retransmits}, RTOs {stats.RetransmitTimeouts}, probes {stats.TailLossProbes}, recoveries {stats.FastRetransmits}";
        return (result.BitsPerSecond, result.Timeouts, details);
    }
}
