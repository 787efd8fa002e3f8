using TinyStack.Wire;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// An independent, simple receiver for test assertions, like the Linux kernel's: it drops frames
/// whose IPv4 header checksum is wrong and rebuilds datagrams from fragments.
/// </summary>
public static class Reassembly
{
    public static List<(Ipv4Address Source, ushort Id, byte[] Payload)> Datagrams(IEnumerable<byte[]> frames)
    {
        Dictionary<(uint, ushort), SortedDictionary<int, (byte[] Data, bool More)>> pending = [];
        List<(Ipv4Address, ushort, byte[])> complete = [];
        foreach (byte[] frame in frames)
        {
            if (!EthernetFrame.TryCreate(frame, out EthernetFrame eth) || eth.EtherType != EtherType.Ipv4
                || !Ipv4Packet.TryCreate(eth.Payload, out Ipv4Packet ip) || !ip.IsChecksumValid)
            {
                continue;
            }

            (uint, ushort) key = (ip.Source.Value, ip.Identification);
            if (!pending.TryGetValue(key, out SortedDictionary<int, (byte[] Data, bool More)>? parts))
            {
                pending[key] = parts = [];
            }

            parts[ip.FragmentOffset] = (ip.Payload.ToArray(), ip.MoreFragments);
            int expected = 0;
            bool done = false;
            foreach ((int offset, (byte[] data, bool more)) in parts)
            {
                if (offset != expected)
                {
                    break;
                }

                expected += data.Length;
                if (!more)
                {
                    done = true;
                }
            }

            if (done)
            {
                complete.Add((ip.Source, ip.Identification, [.. parts.Values.SelectMany(p => p.Data)]));
                pending.Remove(key);
            }
        }

        return complete;
    }
}
