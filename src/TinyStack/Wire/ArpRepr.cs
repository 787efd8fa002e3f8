using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>An Ethernet/IPv4 ARP packet (RFC 826) as values.</summary>
public readonly record struct ArpRepr(
    ArpOperation Operation,
    MacAddress SenderHardwareAddress,
    Ipv4Address SenderProtocolAddress,
    MacAddress TargetHardwareAddress,
    Ipv4Address TargetProtocolAddress)
{
    public const int Length = ArpPacket.Length;

    /// <summary>Writes the 28-byte packet with htype 1, ptype 0x0800, hlen 6, plen 4.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"An ARP packet needs {Length} bytes but the buffer has {destination.Length}; pass a larger span.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[ArpPacket.HardwareTypeOffset..], ArpPacket.HardwareTypeEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(destination[ArpPacket.ProtocolTypeOffset..], EtherType.Ipv4);
        destination[ArpPacket.HardwareLengthOffset] = MacAddress.Length;
        destination[ArpPacket.ProtocolLengthOffset] = Ipv4Address.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[ArpPacket.OperationOffset..], (ushort)Operation);
        SenderHardwareAddress.WriteTo(destination[ArpPacket.SenderHardwareAddressOffset..]);
        SenderProtocolAddress.WriteTo(destination[ArpPacket.SenderProtocolAddressOffset..]);
        TargetHardwareAddress.WriteTo(destination[ArpPacket.TargetHardwareAddressOffset..]);
        TargetProtocolAddress.WriteTo(destination[ArpPacket.TargetProtocolAddressOffset..]);
    }

    /// <summary>tcpdump style: <c>ARP who-has 10.0.0.2 tell 10.0.0.1</c>, <c>ARP reply 10.0.0.2 is-at 02:00:00:00:00:02</c>.</summary>
    public override string ToString() => Operation switch
    {
        ArpOperation.Request => $"ARP who-has {TargetProtocolAddress} tell {SenderProtocolAddress}",
        ArpOperation.Reply => $"ARP reply {SenderProtocolAddress} is-at {SenderHardwareAddress}",
        _ => $"ARP op {(ushort)Operation} sender {SenderProtocolAddress} ({SenderHardwareAddress}) target {TargetProtocolAddress} ({TargetHardwareAddress})",
    };
}
