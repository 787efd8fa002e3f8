namespace TinyStack.Tcp;

/// <summary>
/// Per-connection byte counters, 64-bit so that they stay exact past the 4 GiB that sequence
/// number arithmetic can tell apart (as Linux's tcpi_bytes_received and tcpi_bytes_acked).
/// </summary>
public sealed partial class TcpConnection
{
    private long _bytesReceived;
    private long _bytesAcked;

    /// <summary>
    /// Payload bytes received in sequence (each counted once, when RCV.NXT passes it; duplicates,
    /// data beyond a hole until the hole fills, and SYN and FIN are not counted).
    /// </summary>
    public long BytesReceived => _bytesReceived;

    /// <summary>
    /// Payload bytes the peer has acknowledged (each counted once, when SND.UNA passes it;
    /// retransmissions are not counted twice, SYN and FIN not at all).
    /// </summary>
    public long BytesAcked => _bytesAcked;
}
