using CsCheck;
using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

/// <summary>CsCheck generators for valid header values.</summary>
internal static class WireGen
{
    public static readonly Gen<MacAddress> Mac = Gen.ULong.Select(MacAddress.FromUInt64);

    public static readonly Gen<Ipv4Address> Address = Gen.UInt.Select(value => new Ipv4Address(value));

    public static readonly Gen<SeqNumber> Seq = Gen.UInt.Select(value => new SeqNumber(value));

    public static readonly Gen<EthernetHeader> Ethernet =
        Gen.Select(Mac, Mac, Gen.UShort, (destination, source, type) => new EthernetHeader(destination, source, type));

    public static readonly Gen<ArpRepr> Arp =
        Gen.Select(Gen.Bool.Select(request => request ? ArpOperation.Request : ArpOperation.Reply), Mac, Address, Mac, Address,
            (operation, sha, spa, tha, tpa) => new ArpRepr(operation, sha, spa, tha, tpa));

    /// <summary>Any IPv4 header value we can emit, with a payload length kept small enough to allocate freely.</summary>
    public static Gen<Ipv4Header> Ipv4(Gen<byte> protocol, Gen<int> payloadLength) =>
        Gen.Select(
            Gen.Select(Address, Address, protocol, payloadLength),
            Gen.Select(Gen.Byte, Gen.UShort, Gen.Bool, Gen.Bool),
            Gen.Select(Gen.Int[0, 8191].Select(units => units * 8), Gen.Byte[0, 63], Gen.Byte[0, 3]),
            (a, b, c) => new Ipv4Header(a.Item1, a.Item2, a.Item3, a.Item4, b.Item1, b.Item2, b.Item3, b.Item4, c.Item1, c.Item2, c.Item3));

    public static readonly Gen<IcmpHeader> Icmp = Gen.Select(Gen.Byte, Gen.Byte, Gen.UInt, (type, code, rest) => new IcmpHeader(type, code, rest));

    public static Gen<UdpHeader> Udp(int maxPayload) =>
        Gen.Select(Gen.UShort, Gen.UShort, Gen.Int[0, maxPayload], (source, destination, length) => new UdpHeader(source, destination, length));

    public static readonly Gen<SackBlock> Sack = Gen.Select(Seq, Seq, (left, right) => new SackBlock(left, right));

    /// <summary>Random option sets, trimmed of SACK blocks until they fit the 40-byte option space.</summary>
    public static readonly Gen<TcpOptions> TcpOptions =
        Gen.Select(
            Gen.Select(Gen.Bool, Gen.UShort, Gen.Bool, Gen.Byte),
            Gen.Select(Gen.Bool, Gen.Bool, Gen.UInt, Gen.UInt),
            Sack.Array[0, TinyStack.Wire.TcpOptions.MaxSackBlocks],
            (a, b, blocks) =>
            {
                var options = new TcpOptions
                {
                    Mss = a.Item1 ? a.Item2 : null,
                    WindowScale = a.Item3 ? a.Item4 : null,
                    SackPermitted = b.Item1,
                    Timestamps = b.Item2 ? new TcpTimestamps(b.Item3, b.Item4) : null,
                };
                int count = blocks.Length;
                while (options.WithSackBlocks(blocks.AsSpan(0, count)).EncodedLength > TinyStack.Wire.TcpOptions.MaxLength)
                {
                    count--;
                }

                return options.WithSackBlocks(blocks.AsSpan(0, count));
            });

    public static readonly Gen<TcpHeader> Tcp =
        Gen.Select(
            Gen.Select(Gen.UShort, Gen.UShort, Seq, Seq),
            Gen.Select(Gen.Byte.Select(flags => (TcpFlags)flags), Gen.UShort, TcpOptions, Gen.UShort),
            (a, b) => new TcpHeader(a.Item1, a.Item2, a.Item3, a.Item4, b.Item1, b.Item2, b.Item3, b.Item4));

    public static readonly Gen<byte[]> Payload = Gen.Byte.Array[0, 200];
}
