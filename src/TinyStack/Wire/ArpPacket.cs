using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>
/// A checked view of an ARP packet (RFC 826). The fixed offsets are those of Ethernet/IPv4 ARP;
/// check <see cref="IsEthernetIpv4"/> before trusting the address fields of anything else.
/// </summary>
public readonly ref struct ArpPacket
{
    public const int Length = 28;

    /// <summary>ar$hrd for Ethernet (RFC 826; IANA ARP parameters).</summary>
    public const ushort HardwareTypeEthernet = 1;

    internal const int HardwareTypeOffset = 0;
    internal const int ProtocolTypeOffset = 2;
    internal const int HardwareLengthOffset = 4;
    internal const int ProtocolLengthOffset = 5;
    internal const int OperationOffset = 6;
    internal const int SenderHardwareAddressOffset = 8;
    internal const int SenderProtocolAddressOffset = 14;
    internal const int TargetHardwareAddressOffset = 18;
    internal const int TargetProtocolAddressOffset = 24;

    private readonly ReadOnlySpan<byte> _data;

    private ArpPacket(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>Accepts at least <see cref="Length"/> bytes; bytes beyond it (Ethernet padding) are ignored.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> data, out ArpPacket view)
    {
        if (data.Length < Length)
        {
            view = default;
            return false;
        }

        view = new ArpPacket(data[..Length]);
        return true;
    }

    public ushort HardwareType => BinaryPrimitives.ReadUInt16BigEndian(_data[HardwareTypeOffset..]);

    public ushort ProtocolType => BinaryPrimitives.ReadUInt16BigEndian(_data[ProtocolTypeOffset..]);

    public byte HardwareLength => _data[HardwareLengthOffset];

    public byte ProtocolLength => _data[ProtocolLengthOffset];

    /// <summary>True for the only kind this stack speaks: htype 1, ptype 0x0800, hlen 6, plen 4.</summary>
    public bool IsEthernetIpv4 =>
        HardwareType == HardwareTypeEthernet && ProtocolType == EtherType.Ipv4
        && HardwareLength == MacAddress.Length && ProtocolLength == Ipv4Address.Length;

    /// <summary>The raw opcode; values other than Request and Reply are possible on the wire.</summary>
    public ArpOperation Operation => (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(_data[OperationOffset..]);

    public MacAddress SenderHardwareAddress => new(_data[SenderHardwareAddressOffset..]);

    public Ipv4Address SenderProtocolAddress => new(_data[SenderProtocolAddressOffset..]);

    public MacAddress TargetHardwareAddress => new(_data[TargetHardwareAddressOffset..]);

    public Ipv4Address TargetProtocolAddress => new(_data[TargetProtocolAddressOffset..]);

    /// <summary>The Ethernet/IPv4 fields; the fixed htype/ptype/hlen/plen are not carried.</summary>
    public ArpRepr ToRepr() => new(Operation, SenderHardwareAddress, SenderProtocolAddress, TargetHardwareAddress, TargetProtocolAddress);

    public override string ToString() => IsEthernetIpv4
        ? ToRepr().ToString()
        : $"ARP htype {HardwareType} ptype 0x{ProtocolType:x4} hlen {HardwareLength} plen {ProtocolLength} op {(ushort)Operation}";
}
