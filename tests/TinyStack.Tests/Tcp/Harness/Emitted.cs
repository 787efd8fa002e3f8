using TinyStack.Wire;

namespace TinyStack.Tests.Tcp.Harness;

/// <summary>A segment the layer under test sent, parsed back from its bytes.</summary>
internal sealed record Emitted(Ipv4Address Source, Ipv4Address Destination, TcpHeader Header, byte[] Payload, TxNote Note)
{
    public TcpFlags Flags => Header.Flags;

    public uint Seq => Header.SequenceNumber.Value;

    public uint Ack => Header.AcknowledgmentNumber.Value;

    public ushort Window => Header.Window;

    public TcpOptions Options => Header.Options;

    public override string ToString() => $"{Header} len={Payload.Length} ({Note})";
}
