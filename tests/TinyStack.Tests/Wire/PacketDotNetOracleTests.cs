using CsCheck;
using PacketDotNet;
using PacketDotNet.Tcp;
using TinyStack.Wire;
using ArpOperation = TinyStack.Wire.ArpOperation;
using ArpRepr = TinyStack.Wire.ArpRepr;
using IcmpHeader = TinyStack.Wire.IcmpHeader;
using TcpFlags = TinyStack.Wire.TcpFlags;
using TcpOption = PacketDotNet.Tcp.TcpOption;
using TcpOptions = TinyStack.Wire.TcpOptions;

namespace TinyStack.Tests.Wire;

/// <summary>
/// PacketDotNet 1.4.8 as an independent oracle: frames built with our WriteTo are parsed by
/// PacketDotNet, and every field and checksum it reports must agree with what we meant to write.
/// </summary>
public class PacketDotNetOracleTests
{
    private const int FrameIpOffset = EthernetHeader.Length;
    private const int FrameTransportOffset = FrameIpOffset + Ipv4Header.Length;

    // RFC 3692 experimental protocol number: PacketDotNet leaves its payload undecoded.
    private const byte ExperimentalProtocol = 253;

    [Fact]
    public void Agrees_on_arp()
    {
        Gen.Select(WireGen.Mac, WireGen.Arp).Sample((source, arp) =>
        {
            byte[] frame = new byte[EthernetHeader.Length + ArpRepr.Length];
            new EthernetHeader(MacAddress.Broadcast, source, EtherType.Arp).WriteTo(frame);
            arp.WriteTo(frame.AsSpan(EthernetHeader.Length));

            var ethernet = (EthernetPacket)Packet.ParsePacket(LinkLayers.Ethernet, frame);
            Assert.Equal(EthernetType.Arp, ethernet.Type);
            Assert.Equal(MacAddress.Broadcast.ToString(), Mac(ethernet.DestinationHardwareAddress));
            Assert.Equal(source.ToString(), Mac(ethernet.SourceHardwareAddress));

            PacketDotNet.ArpPacket oracle = ethernet.Extract<PacketDotNet.ArpPacket>();
            Assert.Equal(LinkLayers.Ethernet, oracle.HardwareAddressType);
            Assert.Equal(EthernetType.IPv4, oracle.ProtocolAddressType);
            Assert.Equal(6, oracle.HardwareAddressLength);
            Assert.Equal(4, oracle.ProtocolAddressLength);
            Assert.Equal((ushort)arp.Operation, (ushort)oracle.Operation);
            Assert.Equal(arp.SenderHardwareAddress.ToString(), Mac(oracle.SenderHardwareAddress));
            Assert.Equal(arp.SenderProtocolAddress.ToString(), oracle.SenderProtocolAddress.ToString());
            Assert.Equal(arp.TargetHardwareAddress.ToString(), Mac(oracle.TargetHardwareAddress));
            Assert.Equal(arp.TargetProtocolAddress.ToString(), oracle.TargetProtocolAddress.ToString());
        }, iter: 500);
    }

    [Fact]
    public void Agrees_on_every_ipv4_header_field_and_the_checksum()
    {
        WireGen.Ipv4(Gen.Const(ExperimentalProtocol), Gen.Int[0, 600]).Sample(header =>
        {
            byte[] frame = Frame(header);

            IPv4Packet oracle = ParseIpv4(frame);
            Assert.Equal(IPVersion.IPv4, oracle.Version);
            Assert.Equal(5, oracle.HeaderLength); // in 32-bit words
            Assert.Equal((header.Dscp << 2) | header.Ecn, oracle.TypeOfService);
            Assert.Equal(header.TotalLength, oracle.TotalLength);
            Assert.Equal(header.Identification, oracle.Id);
            Assert.Equal((header.DontFragment ? 2 : 0) | (header.MoreFragments ? 1 : 0), oracle.FragmentFlags);
            Assert.Equal(header.FragmentOffset / 8, oracle.FragmentOffset); // in 8-byte units
            Assert.Equal(header.Ttl, oracle.TimeToLive);
            Assert.Equal(header.Protocol, (byte)oracle.Protocol);
            Assert.Equal(header.Source.ToString(), oracle.SourceAddress.ToString());
            Assert.Equal(header.Destination.ToString(), oracle.DestinationAddress.ToString());
            Assert.True(oracle.ValidIPChecksum);
            Assert.Equal(ReadChecksum(frame, FrameIpOffset + 10), oracle.Checksum);
        }, iter: 500);
    }

    [Fact]
    public void Agrees_on_icmp_echo_and_errors()
    {
        Gen.Select(Gen.Int[0, 3], Gen.UShort, Gen.UShort, WireGen.Payload).Sample((kind, identifier, sequence, data) =>
        {
            IcmpHeader icmp = kind switch
            {
                0 => IcmpHeader.Echo(IcmpType.EchoRequest, identifier, sequence),
                1 => IcmpHeader.Echo(IcmpType.EchoReply, identifier, sequence),
                2 => IcmpHeader.Unreachable(IcmpUnreachableCode.Port),
                _ => IcmpHeader.Unreachable(IcmpUnreachableCode.FragmentationNeeded, sequence),
            };
            var ip = new Ipv4Header(new Ipv4Address(10, 0, 0, 2), new Ipv4Address(10, 0, 0, 1), IpProtocol.Icmp, IcmpHeader.Length + data.Length);
            byte[] frame = Frame(ip);
            data.CopyTo(frame, FrameTransportOffset + IcmpHeader.Length);
            icmp.WriteTo(frame.AsSpan(FrameTransportOffset));

            IcmpV4Packet oracle = ParseIpv4(frame).Extract<IcmpV4Packet>();
            Assert.Equal((icmp.Type << 8) | icmp.Code, (int)oracle.TypeCode);
            Assert.True(oracle.ValidIcmpChecksum);
            Assert.Equal(ReadChecksum(frame, FrameTransportOffset + 2), oracle.Checksum);
            if (kind < 2)
            {
                Assert.Equal(identifier, oracle.Id);
                Assert.Equal(sequence, oracle.Sequence);
            }
        }, iter: 500);
    }

    [Fact]
    public void Agrees_on_udp_fields_and_checksum()
    {
        // PacketDotNet decodes the payload on some ports as a protocol of its own and then throws on
        // short payloads (swept over every port: 0, 7 and 9 as Wake-on-LAN, 1701 as L2TP, 4789 as
        // VXLAN): the oracle only judges ports where it reads the payload as data.
        Gen<ushort> port = Gen.UShort.Where(port => port is not (0 or 7 or 9 or 1701 or 4789));
        Gen<UdpHeader> udpHeader = Gen.Select(port, port, Gen.Int[0, 300], (sourcePort, destinationPort, length) => new UdpHeader(sourcePort, destinationPort, length));
        Gen.Select(udpHeader, WireGen.Address, WireGen.Address, Gen.Byte.Array[300]).Sample((udp, source, destination, data) =>
        {
            var ip = new Ipv4Header(source, destination, IpProtocol.Udp, udp.DatagramLength);
            byte[] frame = Frame(ip);
            data.AsSpan(0, udp.PayloadLength).CopyTo(frame.AsSpan(FrameTransportOffset + UdpHeader.Length));
            udp.WriteTo(frame.AsSpan(FrameTransportOffset), source, destination);

            UdpPacket oracle = ParseIpv4(frame).Extract<UdpPacket>();
            Assert.Equal(udp.SourcePort, oracle.SourcePort);
            Assert.Equal(udp.DestinationPort, oracle.DestinationPort);
            Assert.Equal(udp.DatagramLength, oracle.Length);
            Assert.True(oracle.ValidUdpChecksum);
            Assert.Equal(ReadChecksum(frame, FrameTransportOffset + 6), oracle.Checksum);
            Assert.Equal(data.AsSpan(0, udp.PayloadLength).ToArray(), PayloadOf(oracle));
        }, iter: 500);
    }

    [Fact]
    public void Agrees_on_tcp_fields_options_and_checksum()
    {
        Gen.Select(WireGen.Tcp, WireGen.Address, WireGen.Address, WireGen.Payload).Sample((tcp, source, destination, data) =>
        {
            var ip = new Ipv4Header(source, destination, IpProtocol.Tcp, tcp.Length + data.Length);
            byte[] frame = Frame(ip);
            data.CopyTo(frame, FrameTransportOffset + tcp.Length);
            tcp.WriteTo(frame.AsSpan(FrameTransportOffset), source, destination);

            TcpPacket oracle = ParseIpv4(frame).Extract<TcpPacket>();
            Assert.Equal(tcp.SourcePort, oracle.SourcePort);
            Assert.Equal(tcp.DestinationPort, oracle.DestinationPort);
            Assert.Equal(tcp.SequenceNumber.Value, oracle.SequenceNumber);
            Assert.Equal(tcp.AcknowledgmentNumber.Value, oracle.AcknowledgmentNumber);
            Assert.Equal(tcp.Length / 4, oracle.DataOffset);
            Assert.Equal((ushort)tcp.Flags, oracle.Flags);
            Assert.Equal((tcp.Flags & TcpFlags.Syn) != 0, oracle.Synchronize);
            Assert.Equal((tcp.Flags & TcpFlags.Fin) != 0, oracle.Finished);
            Assert.Equal((tcp.Flags & TcpFlags.Cwr) != 0, oracle.CongestionWindowReduced);
            Assert.Equal(tcp.Window, oracle.WindowSize);
            Assert.Equal(tcp.UrgentPointer, (ushort)oracle.UrgentPointer); // PacketDotNet reads it as a signed short
            Assert.True(oracle.ValidTcpChecksum);
            Assert.Equal(ReadChecksum(frame, FrameTransportOffset + 16), oracle.Checksum);
            Assert.Equal(data, PayloadOf(oracle));

            // PacketDotNet 1.4.8 throws NotImplementedException for the options of a segment with URG set.
            if ((tcp.Flags & TcpFlags.Urg) == 0)
            {
                AssertOptionsAgree(tcp.Options, oracle.OptionsCollection);
            }
        }, iter: 1_000);
    }

    [Theory]
    [InlineData(CapturedFrames.TcpSyn)]
    [InlineData(CapturedFrames.TcpSynAck)]
    [InlineData(CapturedFrames.TcpData)]
    [InlineData(CapturedFrames.TcpSackAck)]
    public void Agrees_on_captured_kernel_segments(string hex)
    {
        byte[] frame = CapturedFrames.Bytes(hex);
        Assert.True(Ipv4Packet.TryCreate(frame.AsSpan(FrameIpOffset), out Ipv4Packet ip));
        Assert.True(TcpSegment.TryCreate(ip.Payload, out TcpSegment tcp));
        Assert.True(tcp.TryGetOptions(out TcpOptions options));

        TcpPacket oracle = ParseIpv4(frame).Extract<TcpPacket>();
        Assert.True(oracle.ValidTcpChecksum);
        Assert.Equal(tcp.IsChecksumValid(ip.Source, ip.Destination), oracle.ValidTcpChecksum);
        Assert.Equal(tcp.SequenceNumber.Value, oracle.SequenceNumber);
        Assert.Equal(tcp.HeaderLength / 4, oracle.DataOffset);
        AssertOptionsAgree(options, oracle.OptionsCollection);
    }

    // PacketDotNet decodes some payloads as packets of their own (a TCP payload whose third byte is
    // DRDA's 0xD0 magic, found by a sweep of random segments), and then PayloadData is empty: the
    // bytes are in PayloadPacket instead.
    private static byte[] PayloadOf(Packet oracle) =>
        oracle.PayloadPacket is { } inner ? inner.Bytes : oracle.PayloadData ?? [];

    private static void AssertOptionsAgree(TcpOptions options, List<TcpOption>? oracle)
    {
        oracle ??= []; // PacketDotNet returns null when there are no options
        Assert.Equal(options.Mss, oracle.OfType<MaximumSegmentSizeOption>().SingleOrDefault()?.Value);
        Assert.Equal(options.WindowScale, oracle.OfType<WindowScaleFactorOption>().SingleOrDefault()?.ScaleFactor);
        Assert.Equal(options.SackPermitted, oracle.OfType<SelectiveAcknowledgmentPermittedOption>().Any());
        TimeStampOption? timestamps = oracle.OfType<TimeStampOption>().SingleOrDefault();
        Assert.Equal(options.Timestamps, timestamps is null ? null : new TcpTimestamps(timestamps.Value, timestamps.EchoReply));

        // PacketDotNet decodes SACK blocks as 16-bit values, so compare the raw option bytes instead.
        SelectiveAcknowledgmentOption? sack = oracle.OfType<SelectiveAcknowledgmentOption>().SingleOrDefault();
        Assert.Equal(options.SackBlockCount > 0, sack is not null);
        if (sack is not null)
        {
            byte[] raw = sack.Bytes;
            Assert.Equal(2 + (8 * options.SackBlockCount), raw.Length);
            for (int i = 0; i < options.SackBlockCount; i++)
            {
                SackBlock block = options.GetSackBlock(i);
                Assert.Equal(block.Left.Value, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(2 + (8 * i))));
                Assert.Equal(block.Right.Value, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(6 + (8 * i))));
            }
        }
    }

    /// <summary>An Ethernet frame with the IPv4 header written and room for its payload.</summary>
    private static byte[] Frame(Ipv4Header ip)
    {
        byte[] frame = new byte[EthernetHeader.Length + ip.TotalLength];
        new EthernetHeader(MacAddress.Parse("02:00:00:00:00:02"), MacAddress.Parse("02:00:00:00:00:01"), EtherType.Ipv4).WriteTo(frame);
        ip.WriteTo(frame.AsSpan(FrameIpOffset));
        return frame;
    }

    private static IPv4Packet ParseIpv4(byte[] frame)
    {
        var ethernet = (EthernetPacket)Packet.ParsePacket(LinkLayers.Ethernet, frame);
        Assert.Equal(EthernetType.IPv4, ethernet.Type);
        return ethernet.Extract<IPv4Packet>();
    }

    private static ushort ReadChecksum(byte[] frame, int offset) => (ushort)((frame[offset] << 8) | frame[offset + 1]);

    /// <summary>PhysicalAddress prints as 020000000001; ours as 02:00:00:00:00:01.</summary>
    private static string Mac(System.Net.NetworkInformation.PhysicalAddress address) =>
        string.Join(':', address.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
