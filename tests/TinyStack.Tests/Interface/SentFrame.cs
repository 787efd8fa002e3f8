namespace TinyStack.Tests.Interface;

/// <summary>One frame the stack emitted, copied out of its transmit buffer.</summary>
internal sealed record SentFrame(byte[] Bytes, TxNote Note)
{
    public string Hex => Convert.ToHexStringLower(Bytes);
}
