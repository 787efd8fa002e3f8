namespace TinyStack.Wire;

/// <summary>ARP opcodes (RFC 826 ar$op).</summary>
public enum ArpOperation : ushort
{
    Request = 1,
    Reply = 2,
}
