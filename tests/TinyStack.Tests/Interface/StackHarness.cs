using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tests.Interface;

/// <summary>A stack in virtual time with a recording sink: feed frames, move the clock, read what came out.</summary>
internal sealed class StackHarness
{
    public const ulong Seed = 42;

    public StackHarness(StackOptions? options = null)
    {
        Options = options ?? Defaults();
        Stack = new NetworkStack(Options);
    }

    public StackOptions Options { get; }

    public NetworkStack Stack { get; }

    public RecordingSink Sink { get; } = new();

    public Instant Now { get; private set; } = Instant.FromMilliseconds(1000);

    public Stats Stats => Stack.Stats;

    /// <summary>The options every test starts from: the capture's addresses, no start-up announcement.</summary>
    public static StackOptions Defaults(bool gratuitousArp = false) => new() { Seed = Seed, SendGratuitousArp = gratuitousArp };

    public DropReason Receive(byte[] frame) => Stack.Receive(frame, Now, Sink);

    public DropReason Receive(string hex) => Receive(Convert.FromHexString(hex));

    /// <summary>Moves the clock forward and runs the timers.</summary>
    public void Advance(Duration duration) => AdvanceTo(Now + duration);

    public void AdvanceTo(Instant instant)
    {
        Assert.True(instant >= Now, "virtual time only moves forward");
        Now = instant;
        Stack.Poll(Now, Sink);
    }

    public void Poll() => Stack.Poll(Now, Sink);

    public List<SentFrame> Take() => Sink.Take();

    /// <summary>
    /// Like <see cref="Take"/> but keeps only IPv4 frames: after long waits the peer's ARP entry
    /// is stale and the first datagram to it is accompanied by a unicast ARP probe.
    /// </summary>
    public List<SentFrame> TakeIpv4() => Sink.Take().Where(f => f.Bytes.Length > 13 && f.Bytes[12] == 0x08 && f.Bytes[13] == 0x00).ToList();

    /// <summary>The peer ARPs for us, so we learn it; our reply is discarded.</summary>
    public void LearnPeer(Ipv4Address? ip = null, MacAddress? mac = null)
    {
        Assert.Equal(DropReason.Accepted, Receive(TestFrames.Arp(ArpOperation.Request, mac ?? TestFrames.PeerMac, ip ?? TestFrames.PeerIp, MacAddress.Zero, TestFrames.OurIp)));
        Assert.Single(Take());
    }

    /// <summary>Sends a datagram from the stack as an upper layer would.</summary>
    public DropReason SendFromStack(Ipv4Address destination, byte protocol, byte[] payload) =>
        Stack.Interface.SendIpv4(destination, protocol, payload, TxReason.UdpData, Now, Sink);
}
