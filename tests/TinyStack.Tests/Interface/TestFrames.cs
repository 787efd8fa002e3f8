using TinyStack.Wire;

namespace TinyStack.Tests.Interface;

/// <summary>
/// Builds the frames a peer would send, and parses what the stack sends back. The peer is the
/// Linux side of the captures in <c>Wire/CapturedFrames.cs</c>: 10.0.0.1 at 02:00:00:00:00:01;
/// the stack is 10.0.0.2/24 at 02:00:00:00:00:02.
/// </summary>
internal static class TestFrames
{
    public static readonly MacAddress PeerMac = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress OurMac = MacAddress.Parse("02:00:00:00:00:02");
    public static readonly Ipv4Address PeerIp = new(10, 0, 0, 1);
    public static readonly Ipv4Address OurIp = new(10, 0, 0, 2);

    public static byte[] Ethernet(MacAddress destination, MacAddress source, ushort etherType, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[EthernetHeader.Length + payload.Length];
        new EthernetHeader(destination, source, etherType).WriteTo(frame);
        payload.CopyTo(frame.AsSpan(EthernetHeader.Length));
        return frame;
    }

    public static byte[] Arp(ArpOperation operation, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp, MacAddress? destination = null)
    {
        byte[] arp = new byte[ArpRepr.Length];
        new ArpRepr(operation, senderMac, senderIp, targetMac, targetIp).WriteTo(arp);
        MacAddress to = destination ?? (operation == ArpOperation.Request ? MacAddress.Broadcast : targetMac);
        return Ethernet(to, senderMac, EtherType.Arp, arp);
    }

    /// <summary>The peer asks who has <paramref name="target"/>.</summary>
    public static byte[] ArpRequestFromPeer(Ipv4Address target) => Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, target);

    /// <summary>A neighbour answers our request: it is at <paramref name="mac"/>.</summary>
    public static byte[] ArpReplyTo(Ipv4Address sender, MacAddress mac) => Arp(ArpOperation.Reply, mac, sender, OurMac, OurIp);

    public static byte[] Ipv4(Ipv4Header header, ReadOnlySpan<byte> payload)
    {
        byte[] datagram = new byte[Ipv4Header.Length + payload.Length];
        header.WriteTo(datagram);
        payload.CopyTo(datagram.AsSpan(Ipv4Header.Length));
        return datagram;
    }

    public static byte[] Ipv4Frame(Ipv4Header header, ReadOnlySpan<byte> payload, MacAddress? destination = null) =>
        Ethernet(destination ?? OurMac, PeerMac, EtherType.Ipv4, Ipv4(header, payload));

    /// <summary>An IPv4 header from the peer to us (or <paramref name="destination"/>).</summary>
    public static Ipv4Header Header(byte protocol, int payloadLength, ushort identification = 0x1234, Ipv4Address? source = null, Ipv4Address? destination = null) =>
        new(source ?? PeerIp, destination ?? OurIp, protocol, payloadLength, 64, identification);

    /// <summary>An ICMP message with its checksum.</summary>
    public static byte[] Icmp(byte type, byte code, uint restOfHeader, ReadOnlySpan<byte> data)
    {
        byte[] message = new byte[IcmpHeader.Length + data.Length];
        data.CopyTo(message.AsSpan(IcmpHeader.Length));
        new IcmpHeader(type, code, restOfHeader).WriteTo(message);
        return message;
    }

    public static byte[] EchoRequest(ushort identifier, ushort sequence, ReadOnlySpan<byte> data) =>
        Icmp(IcmpType.EchoRequest, 0, ((uint)identifier << 16) | sequence, data);

    public static byte[] EchoRequestFrame(ushort identifier, ushort sequence, ReadOnlySpan<byte> data, Ipv4Address? source = null, Ipv4Address? destination = null, MacAddress? ethernetDestination = null)
    {
        byte[] icmp = EchoRequest(identifier, sequence, data);
        return Ipv4Frame(Header(IpProtocol.Icmp, icmp.Length, source: source, destination: destination), icmp, ethernetDestination);
    }

    /// <summary>Deterministic payload bytes.</summary>
    public static byte[] Pattern(int length, int seed = 1)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)((i * 7) + seed + (i >> 8));
        }

        return data;
    }

    /// <summary>Splits a datagram into Ethernet frames of at most <paramref name="mtu"/> IP bytes, the way a sender does.</summary>
    public static List<byte[]> Fragments(Ipv4Header header, ReadOnlySpan<byte> payload, int mtu = 1500, int chunk = 0)
    {
        if (chunk == 0)
        {
            chunk = (mtu - Ipv4Header.Length) & ~7;
        }

        var frames = new List<byte[]>();
        for (int offset = 0; offset < payload.Length; offset += chunk)
        {
            int size = Math.Min(chunk, payload.Length - offset);
            Ipv4Header fragment = header with { PayloadLength = size, MoreFragments = offset + size < payload.Length, FragmentOffset = offset };
            frames.Add(Ipv4Frame(fragment, payload.Slice(offset, size)));
        }

        return frames;
    }

    /// <summary>One fragment with an explicit offset and MF flag.</summary>
    public static byte[] Fragment(Ipv4Header header, int offset, bool more, ReadOnlySpan<byte> data) =>
        Ipv4Frame(header with { PayloadLength = data.Length, MoreFragments = more, FragmentOffset = offset }, data);

    /// <summary>Parses an IPv4 frame the stack sent and checks what every such frame must satisfy.</summary>
    public static ParsedIpv4 ParseIpv4(byte[] frame)
    {
        Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame ethernet), "frame shorter than an Ethernet header");
        Assert.Equal(EtherType.Ipv4, ethernet.EtherType);
        Assert.Equal(OurMac, ethernet.Source);
        Assert.True(Ipv4Packet.TryCreate(ethernet.Payload, out Ipv4Packet ip), "invalid IPv4 header");
        Assert.True(ip.IsChecksumValid, "bad IPv4 header checksum");
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(ethernet.Payload.Length, ip.TotalLength); // no padding, no garbage
        return new ParsedIpv4(ethernet.Destination, ip.ToHeader(), ip.Payload.ToArray());
    }

    public static ArpRepr ParseArp(byte[] frame, out MacAddress ethernetDestination)
    {
        Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame ethernet));
        Assert.Equal(EtherType.Arp, ethernet.EtherType);
        Assert.Equal(OurMac, ethernet.Source);
        Assert.Equal(EthernetHeader.Length + ArpRepr.Length, frame.Length);
        Assert.True(ArpPacket.TryCreate(ethernet.Payload, out ArpPacket arp));
        Assert.True(arp.IsEthernetIpv4);
        ethernetDestination = ethernet.Destination;
        return arp.ToRepr();
    }

    /// <summary>
    /// Reassembles the fragments the stack sent (all of one datagram, any order), checking the
    /// fragmentation rules: same ID, offsets multiple of 8, MF on all but the last, DF clear,
    /// each frame within the MTU, no gaps or overlaps.
    /// </summary>
    public static (Ipv4Header Header, byte[] Payload) Reassemble(IEnumerable<SentFrame> frames, int mtu = 1500)
    {
        List<ParsedIpv4> parts = frames.Select(f => ParseIpv4(f.Bytes)).OrderBy(p => p.Header.FragmentOffset).ToList();
        Assert.NotEmpty(parts);
        ushort id = parts[0].Header.Identification;
        using var payload = new MemoryStream();
        for (int i = 0; i < parts.Count; i++)
        {
            Ipv4Header header = parts[i].Header;
            Assert.True(header.TotalLength <= mtu, $"fragment of {header.TotalLength} bytes exceeds the MTU");
            Assert.Equal(id, header.Identification);
            Assert.False(header.DontFragment);
            Assert.Equal(0, header.FragmentOffset % 8);
            Assert.Equal(payload.Length, header.FragmentOffset);
            Assert.Equal(i < parts.Count - 1, header.MoreFragments);
            payload.Write(parts[i].Payload);
        }

        Ipv4Header whole = parts[0].Header with { PayloadLength = (int)payload.Length, MoreFragments = false };
        return (whole, payload.ToArray());
    }
}
