using TinyStack.Wire;

namespace TinyStack.Replay.Tests;

/// <summary>A tiny, independent reassembler for test assertions: IPv4 datagrams from frames.</summary>
public static class Datagrams
{
    public sealed record Datagram(Ipv4Address Source, Ipv4Address Destination, byte Protocol, ushort Id, byte Ttl, int Fragments, byte[] Payload);

    /// <summary>Groups the IPv4 frames by (source, id), orders fragments by offset and joins them.</summary>
    public static List<Datagram> Reassemble(IEnumerable<byte[]> frames)
    {
        List<Datagram> result = [];
        foreach (IGrouping<(uint, ushort), byte[]> group in frames.Where(IsIpv4).GroupBy(Key))
        {
            List<byte[]> parts = [.. group.OrderBy(Offset)];
            using MemoryStream payload = new();
            Ipv4Address source = default, destination = default;
            byte protocol = 0, ttl = 0;
            foreach (byte[] frame in parts)
            {
                Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame eth));
                Assert.True(Ipv4Packet.TryCreate(eth.Payload, out Ipv4Packet ip));
                Assert.True(ip.IsChecksumValid, "IPv4 header checksum");
                Assert.Equal(payload.Length, ip.FragmentOffset);
                payload.Write(ip.Payload);
                (source, destination, protocol, ttl) = (ip.Source, ip.Destination, ip.Protocol, ip.Ttl);
            }

            result.Add(new Datagram(source, destination, protocol, group.Key.Item2, ttl, parts.Count, payload.ToArray()));
        }

        return result;
    }

    private static bool IsIpv4(byte[] frame) => EthernetFrame.TryCreate(frame, out EthernetFrame eth) && eth.EtherType == EtherType.Ipv4;

    private static (uint, ushort) Key(byte[] frame)
    {
        EthernetFrame.TryCreate(frame, out EthernetFrame eth);
        Ipv4Packet.TryCreate(eth.Payload, out Ipv4Packet ip);
        return (ip.Source.Value, ip.Identification);
    }

    private static int Offset(byte[] frame)
    {
        EthernetFrame.TryCreate(frame, out EthernetFrame eth);
        Ipv4Packet.TryCreate(eth.Payload, out Ipv4Packet ip);
        return ip.FragmentOffset;
    }
}
