using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

/// <summary>
/// Reads every accessor of every view that will accept some bytes, the way a receiver (or a log line)
/// would: each TryCreate directly on the bytes, then the Ethernet → IPv4 → transport chain. A throw
/// anywhere fails the calling property test.
/// </summary>
internal static class WireExercise
{
    private static readonly Ipv4Address s_source = new(10, 0, 0, 1);
    private static readonly Ipv4Address s_destination = new(10, 0, 0, 2);

    /// <summary>Returns a number mixed from everything read, so none of the reads is dead code.</summary>
    public static long Everything(ReadOnlySpan<byte> data)
    {
        long mix = FrameSummary.Describe(data).Length;
        mix += Ethernet(data);
        mix += Arp(data);
        mix += Ipv4(data);
        mix += Icmp(data);
        mix += Udp(data, s_source, s_destination);
        mix += Tcp(data, s_source, s_destination);
        return mix;
    }

    private static long Ethernet(ReadOnlySpan<byte> data)
    {
        if (!EthernetFrame.TryCreate(data, out EthernetFrame frame))
        {
            return 0;
        }

        long mix = (long)(frame.Destination.ToUInt64() ^ frame.Source.ToUInt64()) + frame.EtherType + (frame.IsVlanTagged ? 1 : 0);
        if (frame.TryGetVlan(out ushort tci, out ushort inner))
        {
            mix += tci + inner;
        }

        mix += frame.ToHeader().GetHashCode() + frame.ToString().Length + frame.Bytes.Length;
        ReadOnlySpan<byte> payload = frame.Payload;
        return mix + Arp(payload) + Ipv4(payload);
    }

    private static long Arp(ReadOnlySpan<byte> data)
    {
        if (!ArpPacket.TryCreate(data, out ArpPacket arp))
        {
            return 0;
        }

        return arp.HardwareType + arp.ProtocolType + arp.HardwareLength + arp.ProtocolLength + (arp.IsEthernetIpv4 ? 1 : 0)
            + (long)arp.Operation + (long)arp.SenderHardwareAddress.ToUInt64() + arp.SenderProtocolAddress.Value
            + (long)arp.TargetHardwareAddress.ToUInt64() + arp.TargetProtocolAddress.Value + arp.ToRepr().ToString().Length + arp.ToString().Length;
    }

    private static long Ipv4(ReadOnlySpan<byte> data)
    {
        if (!Ipv4Packet.TryCreate(data, out Ipv4Packet ip, out DropReason error))
        {
            return (long)error;
        }

        long mix = ip.Version + ip.HeaderLength + ip.Dscp + ip.Ecn + ip.TotalLength + ip.Identification
            + (ip.DontFragment ? 1 : 0) + (ip.MoreFragments ? 2 : 0) + ip.FragmentOffset + (ip.IsFragment ? 4 : 0)
            + ip.Ttl + ip.Protocol + ip.HeaderChecksum + ip.Source.Value + ip.Destination.Value
            + ip.Header.Length + ip.Options.Length + ip.Payload.Length + ip.Bytes.Length + (ip.IsChecksumValid ? 8 : 0)
            + ip.ToHeader().GetHashCode() + ip.ToString().Length;
        ReadOnlySpan<byte> payload = ip.Payload;
        return mix + Icmp(payload) + Udp(payload, ip.Source, ip.Destination) + Tcp(payload, ip.Source, ip.Destination);
    }

    private static long Icmp(ReadOnlySpan<byte> data)
    {
        if (!IcmpPacket.TryCreate(data, out IcmpPacket icmp))
        {
            return 0;
        }

        long mix = icmp.Type + icmp.Code + icmp.Checksum + (icmp.IsChecksumValid ? 1 : 0) + icmp.RestOfHeader
            + icmp.EchoIdentifier + icmp.EchoSequence + icmp.NextHopMtu + icmp.Data.Length + icmp.Bytes.Length
            + icmp.ToHeader().ToString().Length + icmp.ToString().Length;
        if (icmp.TryGetQuoted(out Ipv4Address source, out Ipv4Address destination, out byte protocol, out ReadOnlySpan<byte> prefix))
        {
            mix += source.Value + destination.Value + protocol + prefix.Length;
        }

        return mix;
    }

    private static long Udp(ReadOnlySpan<byte> data, Ipv4Address source, Ipv4Address destination)
    {
        if (!UdpDatagram.TryCreate(data, out UdpDatagram udp))
        {
            return 0;
        }

        return udp.SourcePort + udp.DestinationPort + udp.Length + udp.Checksum + (udp.HasChecksum ? 1 : 0)
            + udp.Payload.Length + udp.Bytes.Length + (udp.IsChecksumValid(source, destination) ? 2 : 0)
            + udp.ToHeader().GetHashCode() + udp.ToString().Length + udp.ToString(source, destination).Length;
    }

    private static long Tcp(ReadOnlySpan<byte> data, Ipv4Address source, Ipv4Address destination)
    {
        if (!TcpSegment.TryCreate(data, out TcpSegment tcp))
        {
            return 0;
        }

        long mix = tcp.SourcePort + tcp.DestinationPort + tcp.SequenceNumber.Value + tcp.AcknowledgmentNumber.Value
            + tcp.HeaderLength + (long)tcp.Flags + tcp.Window + tcp.Checksum + tcp.UrgentPointer + tcp.OptionBytes.Length
            + tcp.Payload.Length + tcp.Bytes.Length + tcp.SegmentLength + (tcp.IsChecksumValid(source, destination) ? 1 : 0)
            + tcp.ToString().Length + tcp.ToString(source, destination).Length;
        TcpOptionEnumerator options = tcp.EnumerateOptions();
        while (options.MoveNext())
        {
            mix += options.Current.Kind + options.Current.Data.Length;
        }

        mix += options.IsMalformed ? 1 : 0;
        if (tcp.TryGetOptions(out TcpOptions parsed))
        {
            mix += parsed.GetHashCode() + parsed.ToString().Length + parsed.EncodedLength;
            for (int i = 0; i < parsed.SackBlockCount; i++)
            {
                SackBlock block = parsed.GetSackBlock(i);
                mix += block.Right - block.Left;
            }
        }

        if (tcp.TryToHeader(out TcpHeader header))
        {
            mix += header.ToString().Length + header.Length;
        }

        return mix;
    }
}
