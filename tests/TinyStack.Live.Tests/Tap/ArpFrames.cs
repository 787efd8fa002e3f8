using System.Buffers.Binary;

namespace TinyStack.Live.Tests.Tap;

/// <summary>Builds and reads Ethernet/IPv4 ARP frames (RFC 826) for talking to the kernel.</summary>
internal static class ArpFrames
{
    public const int Length = 42;
    public const ushort EtherTypeArp = 0x0806;
    public const ushort OpRequest = 1;
    public const ushort OpReply = 2;

    public static readonly byte[] OurMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
    public static readonly byte[] OurIp = [10, 0, 0, 2];
    public static readonly byte[] KernelIp = [10, 0, 0, 1];

    public static byte[] Request(byte[] senderMac, byte[] senderIp, byte[] targetIp)
    {
        byte[] frame = new byte[Length];
        Write(frame, OpRequest, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], senderMac, senderIp, new byte[6], targetIp);
        return frame;
    }

    public static void WriteReply(Span<byte> frame, byte[] senderMac, byte[] senderIp, ReadOnlySpan<byte> targetMac, ReadOnlySpan<byte> targetIp) =>
        Write(frame, OpReply, targetMac, senderMac, senderIp, targetMac, targetIp);

    /// <summary>True for an Ethernet/IPv4 ARP frame; the out spans point into it.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out ushort op, out ReadOnlySpan<byte> senderMac, out ReadOnlySpan<byte> senderIp, out ReadOnlySpan<byte> targetIp)
    {
        op = 0;
        senderMac = senderIp = targetIp = default;
        if (frame.Length < Length || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherTypeArp
            || BinaryPrimitives.ReadUInt16BigEndian(frame[14..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(frame[16..]) != 0x0800)
        {
            return false;
        }

        op = BinaryPrimitives.ReadUInt16BigEndian(frame[20..]);
        senderMac = frame.Slice(22, 6);
        senderIp = frame.Slice(28, 4);
        targetIp = frame.Slice(38, 4);
        return true;
    }

    private static void Write(Span<byte> frame, ushort op, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> senderMac, ReadOnlySpan<byte> senderIp, ReadOnlySpan<byte> targetMac, ReadOnlySpan<byte> targetIp)
    {
        destination.CopyTo(frame);
        senderMac.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeArp);
        BinaryPrimitives.WriteUInt16BigEndian(frame[14..], 1);      // hardware: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame[16..], 0x0800); // protocol: IPv4
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame[20..], op);
        senderMac.CopyTo(frame[22..]);
        senderIp.CopyTo(frame[28..]);
        targetMac.CopyTo(frame[32..]);
        targetIp.CopyTo(frame[38..]);
    }
}
