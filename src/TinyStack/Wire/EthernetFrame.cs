using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>
/// A checked view of an Ethernet II frame without preamble and FCS (what a TAP device delivers):
/// destination MAC, source MAC, EtherType, payload. After <see cref="TryCreate"/> succeeds no
/// accessor can throw.
/// </summary>
public readonly ref struct EthernetFrame
{
    public const int HeaderLength = 14;

    internal const int DestinationOffset = 0;
    internal const int SourceOffset = 6;
    internal const int EtherTypeOffset = 12;

    // IEEE 802.1Q: a 4-byte tag (TPID 0x8100 or 0x88A8, then the TCI) sits where the EtherType was,
    // and the real EtherType follows it.
    private const int VlanTciOffset = 14;
    private const int VlanInnerEtherTypeOffset = 16;
    private const int VlanTaggedHeaderLength = 18;

    private readonly ReadOnlySpan<byte> _data;

    private EthernetFrame(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>Accepts any span of at least <see cref="HeaderLength"/> bytes.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> frame, out EthernetFrame view)
    {
        if (frame.Length < HeaderLength)
        {
            view = default;
            return false;
        }

        view = new EthernetFrame(frame);
        return true;
    }

    public MacAddress Destination => new(_data[DestinationOffset..]);

    public MacAddress Source => new(_data[SourceOffset..]);

    /// <summary>The outer EtherType (a VLAN TPID when the frame is tagged).</summary>
    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_data[EtherTypeOffset..]);

    public bool IsVlanTagged => EtherType is Wire.EtherType.Vlan or Wire.EtherType.QinQ;

    /// <summary>The first VLAN tag's TCI (PCP, DEI, VID) and the EtherType that follows the tag.</summary>
    public bool TryGetVlan(out ushort tci, out ushort innerEtherType)
    {
        if (!IsVlanTagged || _data.Length < VlanTaggedHeaderLength)
        {
            tci = 0;
            innerEtherType = 0;
            return false;
        }

        tci = BinaryPrimitives.ReadUInt16BigEndian(_data[VlanTciOffset..]);
        innerEtherType = BinaryPrimitives.ReadUInt16BigEndian(_data[VlanInnerEtherTypeOffset..]);
        return true;
    }

    /// <summary>Everything after the 14-byte header, including any Ethernet padding.</summary>
    public ReadOnlySpan<byte> Payload => _data[HeaderLength..];

    /// <summary>The whole frame this view was created over.</summary>
    public ReadOnlySpan<byte> Bytes => _data;

    public EthernetHeader ToHeader() => new(Destination, Source, EtherType);

    public override string ToString() => ToHeader().ToString();
}
