using System.Buffers.Binary;

namespace TinyStack.Wire;

/// <summary>The parsed Ethernet II header (IEEE 802.3 clause 3.2, DIX framing): what an <see cref="EthernetFrame"/> says.</summary>
public readonly record struct EthernetHeader(MacAddress Destination, MacAddress Source, ushort EtherType)
{
    public const int Length = EthernetFrame.HeaderLength;

    /// <summary>Writes the 14-byte header at the start of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"An Ethernet header needs {Length} bytes but the buffer has {destination.Length}; pass a larger span.", nameof(destination));
        }

        Destination.WriteTo(destination[EthernetFrame.DestinationOffset..]);
        Source.WriteTo(destination[EthernetFrame.SourceOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[EthernetFrame.EtherTypeOffset..], EtherType);
    }

    /// <summary>tcpdump -e style: <c>02:00:00:00:00:01 &gt; ff:ff:ff:ff:ff:ff ARP</c>.</summary>
    public override string ToString() => $"{Source} > {Destination} {Wire.EtherType.Name(EtherType)}";
}
