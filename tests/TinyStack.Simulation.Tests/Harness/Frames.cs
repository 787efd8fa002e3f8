using TinyStack.Wire;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>Builds the frames a peer would send, with the wire emitters, fragmenting by MTU.</summary>
public static class Frames
{
    /// <summary>An ICMP echo request as Ethernet frames, fragmented like Linux does for <paramref name="mtu"/>.</summary>
    public static List<byte[]> EchoRequest(MacAddress srcMac, MacAddress dstMac, Ipv4Address src, Ipv4Address dst, ushort id, ushort seq, ReadOnlySpan<byte> payload, ushort ipId, int mtu = 1500)
    {
        byte[] icmp = new byte[IcmpHeader.Length + payload.Length];
        payload.CopyTo(icmp.AsSpan(IcmpHeader.Length));
        IcmpHeader.Echo(IcmpType.EchoRequest, id, seq).WriteTo(icmp);

        List<byte[]> frames = [];
        int maxFragment = (mtu - Ipv4Header.Length) & ~7;
        for (int offset = 0; offset < icmp.Length; offset += maxFragment)
        {
            int size = Math.Min(maxFragment, icmp.Length - offset);
            byte[] frame = new byte[EthernetHeader.Length + Ipv4Header.Length + size];
            new EthernetHeader(dstMac, srcMac, EtherType.Ipv4).WriteTo(frame);
            new Ipv4Header(src, dst, IpProtocol.Icmp, size, Identification: ipId, MoreFragments: offset + size < icmp.Length, FragmentOffset: offset)
                .WriteTo(frame.AsSpan(EthernetHeader.Length));
            icmp.AsSpan(offset, size).CopyTo(frame.AsSpan(EthernetHeader.Length + Ipv4Header.Length));
            frames.Add(frame);
        }

        return frames;
    }
}
