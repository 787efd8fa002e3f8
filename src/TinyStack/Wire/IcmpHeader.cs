using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>
/// An ICMP header as values (RFC 792): type, code and the four type-specific bytes
/// (<see cref="RestOfHeader"/>, big-endian: identifier and sequence for echo, the next-hop MTU
/// in the low 16 bits for "fragmentation needed").
/// </summary>
public readonly record struct IcmpHeader(byte Type, byte Code, uint RestOfHeader)
{
    public const int Length = IcmpPacket.HeaderLength;

    public static IcmpHeader Echo(byte type, ushort identifier, ushort sequence) =>
        new(type, 0, ((uint)identifier << 16) | sequence);

    /// <summary>A Destination Unreachable header; <paramref name="nextHopMtu"/> only means something with code 4 (RFC 1191 §4).</summary>
    public static IcmpHeader Unreachable(byte code, ushort nextHopMtu = 0) =>
        new(IcmpType.DestinationUnreachable, code, nextHopMtu);

    /// <summary>
    /// Writes the 8-byte header at packet[0..8] and the checksum over the WHOLE of
    /// <paramref name="packet"/>, so the data must already be in place after the header (frames are built in place).
    /// </summary>
    public void WriteTo(Span<byte> packet)
    {
        if (packet.Length < Length)
        {
            throw new ArgumentException($"An ICMP header needs {Length} bytes but the buffer has {packet.Length}; pass the whole ICMP message.", nameof(packet));
        }

        packet[IcmpPacket.TypeOffset] = Type;
        packet[IcmpPacket.CodeOffset] = Code;
        BinaryPrimitives.WriteUInt16BigEndian(packet[IcmpPacket.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(packet[IcmpPacket.RestOfHeaderOffset..], RestOfHeader);
        BinaryPrimitives.WriteUInt16BigEndian(packet[IcmpPacket.ChecksumOffset..], Checksum.Compute(packet));
    }

    /// <summary><c>ICMP echo request id=1 seq=3</c>, <c>ICMP port unreachable</c>, <c>ICMP frag needed mtu=1400</c>.</summary>
    public override string ToString() => Type switch
    {
        IcmpType.EchoRequest => $"ICMP echo request id={RestOfHeader >> 16} seq={RestOfHeader & 0xFFFF}",
        IcmpType.EchoReply => $"ICMP echo reply id={RestOfHeader >> 16} seq={RestOfHeader & 0xFFFF}",
        IcmpType.DestinationUnreachable => Code switch
        {
            IcmpUnreachableCode.Net => "ICMP net unreachable",
            IcmpUnreachableCode.Host => "ICMP host unreachable",
            IcmpUnreachableCode.Protocol => "ICMP protocol unreachable",
            IcmpUnreachableCode.Port => "ICMP port unreachable",
            IcmpUnreachableCode.FragmentationNeeded => $"ICMP frag needed mtu={RestOfHeader & 0xFFFF}",
            _ => $"ICMP unreachable code {Code}",
        },
        IcmpType.TimeExceeded => Code == 0 ? "ICMP time exceeded in-transit" : $"ICMP time exceeded code {Code}",
        _ => $"ICMP type {Type} code {Code}",
    };
}
