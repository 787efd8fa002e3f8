using TinyStack.Wire;

namespace TinyStack.Tests.Interface;

/// <summary>An IPv4 frame the stack sent, parsed for assertions.</summary>
internal sealed record ParsedIpv4(MacAddress EthernetDestination, Ipv4Header Header, byte[] Payload)
{
    public IcmpHeader Icmp
    {
        get
        {
            Assert.True(IcmpPacket.TryCreate(Payload, out IcmpPacket icmp));
            return icmp.ToHeader();
        }
    }

    public byte[] IcmpData => Payload[IcmpHeader.Length..];

    public bool IcmpChecksumValid => IcmpPacket.TryCreate(Payload, out IcmpPacket icmp) && icmp.IsChecksumValid;
}
