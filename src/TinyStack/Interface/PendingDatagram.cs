namespace TinyStack.Interface;

/// <summary>
/// A complete IPv4 datagram (header included, not yet fragmented) waiting for its next hop's
/// hardware address, copied into a buffer rented from the shared array pool.
/// </summary>
internal readonly record struct PendingDatagram(byte[] Buffer, int Length, TxNote Note)
{
    public ReadOnlySpan<byte> Datagram => Buffer.AsSpan(0, Length);
}
