using CsCheck;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

/// <summary>Bad input never throws; every header value we can emit parses back to itself.</summary>
public class WirePropertyTests
{
    private static readonly string[] s_capturedFrames =
    [
        CapturedFrames.ArpRequest,
        CapturedFrames.ArpReply,
        CapturedFrames.IcmpEchoRequest,
        CapturedFrames.FragmentFirst,
        CapturedFrames.FragmentMiddle,
        CapturedFrames.FragmentLast,
        CapturedFrames.TcpSyn,
        CapturedFrames.TcpSynAck,
        CapturedFrames.TcpAck,
        CapturedFrames.TcpData,
        CapturedFrames.TcpSackAck,
        CapturedFrames.UdpToClosedPort,
        CapturedFrames.IcmpPortUnreachable,
        CapturedFrames.UdpDatagram,
    ];

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 128].Sample(bytes => { WireExercise.Everything(bytes); }, iter: 20_000);
    }

    [Fact]
    public void Random_bytes_behind_plausible_headers_never_throw()
    {
        // Random bytes with just enough structure (EtherType IPv4, version 4, a fitting total length,
        // a known protocol) that the transport parsers, and the TCP option walker, see random input.
        Gen.Select(Gen.Byte.Array[34, 140], Gen.Int[0, 2], Gen.Byte[0x45, 0x4f], Gen.Bool).Sample((bytes, protocolIndex, versionAndIhl, fitLength) =>
        {
            bytes[12] = 0x08;
            bytes[13] = 0x00;
            bytes[14] = versionAndIhl;
            if (fitLength)
            {
                bytes[16] = (byte)((bytes.Length - 14) >> 8);
                bytes[17] = (byte)(bytes.Length - 14);
            }

            bytes[14 + 6] &= 0x40; // not a fragment, so the transport is parsed
            bytes[14 + 7] = 0;
            bytes[14 + 9] = protocolIndex switch { 0 => IpProtocol.Icmp, 1 => IpProtocol.Tcp, _ => IpProtocol.Udp };
            WireExercise.Everything(bytes);
        }, iter: 20_000);
    }

    [Fact]
    public void Every_truncation_of_every_captured_frame_never_throws()
    {
        foreach (string hex in s_capturedFrames)
        {
            byte[] frame = CapturedFrames.Bytes(hex);
            for (int length = 0; length <= frame.Length; length++)
            {
                WireExercise.Everything(frame.AsSpan(0, length));
                if (length >= 14)
                {
                    WireExercise.Everything(frame.AsSpan(14, length - 14)); // the IP datagram cut short
                }

                if (length >= 34)
                {
                    WireExercise.Everything(frame.AsSpan(34, length - 34)); // the transport segment cut short
                }
            }
        }
    }

    [Fact]
    public void Captured_frames_with_random_bytes_overwritten_never_throw()
    {
        Gen.Select(Gen.Int[0, s_capturedFrames.Length - 1], Gen.Select(Gen.Int[0, 1000], Gen.Byte).Array[1, 6]).Sample((index, edits) =>
        {
            byte[] frame = CapturedFrames.Bytes(s_capturedFrames[index]);
            foreach ((int position, byte value) in edits)
            {
                frame[position % frame.Length] = value;
            }

            WireExercise.Everything(frame);
        }, iter: 20_000);
    }

    [Fact]
    public void Ethernet_header_round_trips()
    {
        WireGen.Ethernet.Sample(header =>
        {
            byte[] frame = new byte[EthernetHeader.Length];
            header.WriteTo(frame);

            Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame view));
            Assert.Equal(header, view.ToHeader());
        }, iter: 2_000);
    }

    [Fact]
    public void Arp_repr_round_trips()
    {
        WireGen.Arp.Sample(repr =>
        {
            byte[] packet = new byte[ArpRepr.Length];
            repr.WriteTo(packet);

            Assert.True(ArpPacket.TryCreate(packet, out ArpPacket view));
            Assert.True(view.IsEthernetIpv4);
            Assert.Equal(repr, view.ToRepr());
        }, iter: 2_000);
    }

    [Fact]
    public void Ipv4_header_round_trips()
    {
        WireGen.Ipv4(Gen.Byte, Gen.Int[0, 1500]).Sample(header =>
        {
            byte[] datagram = new byte[header.TotalLength];
            header.WriteTo(datagram);

            Assert.True(Ipv4Packet.TryCreate(datagram, out Ipv4Packet view));
            Assert.True(view.IsChecksumValid);
            Assert.Equal(header, view.ToHeader());
            Assert.Equal(header.PayloadLength, view.Payload.Length);
        }, iter: 2_000);
    }

    [Fact]
    public void Icmp_header_round_trips_with_its_data()
    {
        Gen.Select(WireGen.Icmp, WireGen.Payload).Sample((header, data) =>
        {
            byte[] message = [.. new byte[IcmpHeader.Length], .. data];
            header.WriteTo(message);

            Assert.True(IcmpPacket.TryCreate(message, out IcmpPacket view));
            Assert.True(view.IsChecksumValid);
            Assert.Equal(header, view.ToHeader());
            Assert.Equal(data, view.Data.ToArray());
        }, iter: 2_000);
    }

    [Fact]
    public void Udp_header_round_trips_with_its_payload()
    {
        Gen.Select(WireGen.Udp(200), WireGen.Address, WireGen.Address, Gen.Byte.Array[200]).Sample((header, source, destination, data) =>
        {
            byte[] datagram = [.. new byte[UdpHeader.Length], .. data.AsSpan(0, header.PayloadLength)];
            header.WriteTo(datagram, source, destination);

            Assert.True(UdpDatagram.TryCreate(datagram, out UdpDatagram view));
            Assert.True(view.HasChecksum);
            Assert.True(view.IsChecksumValid(source, destination));
            Assert.Equal(header, view.ToHeader());
            Assert.Equal(data.AsSpan(0, header.PayloadLength).ToArray(), view.Payload.ToArray());
        }, iter: 2_000);
    }

    [Fact]
    public void Tcp_header_with_random_options_round_trips()
    {
        Gen.Select(WireGen.Tcp, WireGen.Address, WireGen.Address, WireGen.Payload).Sample((header, source, destination, data) =>
        {
            byte[] segment = [.. new byte[header.Length], .. data];
            header.WriteTo(segment, source, destination);

            Assert.True(TcpSegment.TryCreate(segment, out TcpSegment view));
            Assert.Equal(header.Length, view.HeaderLength);
            Assert.True(view.IsChecksumValid(source, destination));
            Assert.True(view.TryToHeader(out TcpHeader parsed));
            Assert.Equal(header, parsed);
            Assert.Equal(data, view.Payload.ToArray());
        }, iter: 5_000);
    }
}
