using TinyStack.Host.Links;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// A bare link end the test drives by hand: it sends crafted frames and keeps every frame that
/// reaches it, like a packet generator with a sniffer.
/// </summary>
public sealed class RawNode : VirtualNetwork.INode
{
    private readonly byte[] _buffer;

    internal RawNode(ILinkDevice link)
    {
        Link = link;
        _buffer = new byte[link.Mtu + 18];
    }

    public ILinkDevice Link { get; }

    public List<(Instant At, byte[] Frame)> Received { get; } = [];

    /// <summary>When set, the node answers ARP requests for this address like a kernel would.</summary>
    public (Ipv4Address Ip, MacAddress Mac)? ArpIdentity { get; set; }

    public Instant NextDeadline => Link.NextDeadline;

    public void Send(ReadOnlySpan<byte> frame, Instant now) => Link.Transmit(frame, default, now);

    public void Step(Instant now)
    {
        int length;
        while ((length = Link.Receive(_buffer, now)) > 0)
        {
            Received.Add((now, _buffer.AsSpan(0, length).ToArray()));
            AnswerArp(_buffer.AsSpan(0, length), now);
        }

        Link.Poll(now);
    }

    public void Dispose() => Link.Dispose();

    private void AnswerArp(ReadOnlySpan<byte> frame, Instant now)
    {
        if (ArpIdentity is not { } me || !EthernetFrame.TryCreate(frame, out EthernetFrame eth) || eth.EtherType != EtherType.Arp
            || !ArpPacket.TryCreate(eth.Payload, out ArpPacket arp) || arp.Operation != ArpOperation.Request || arp.TargetProtocolAddress != me.Ip)
        {
            return;
        }

        byte[] reply = new byte[EthernetHeader.Length + ArpRepr.Length];
        new EthernetHeader(arp.SenderHardwareAddress, me.Mac, EtherType.Arp).WriteTo(reply);
        new ArpRepr(ArpOperation.Reply, me.Mac, me.Ip, arp.SenderHardwareAddress, arp.SenderProtocolAddress).WriteTo(reply.AsSpan(EthernetHeader.Length));
        Send(reply, now);
    }
}
