using TinyStack.Wire;

namespace TinyStack.Tcp;

/// <summary>
/// How TCP hands segments to the IP layer (implemented by the IP layer and by test harnesses).
/// A segment is built in place: <see cref="BeginSegment"/> lends a buffer for the whole TCP
/// segment, TCP writes header, options and payload into it (checksum included), and
/// <see cref="CommitSegment"/> sends it. Exactly one segment is under construction at a time.
/// </summary>
public interface ITcpTransmitter
{
    /// <summary>
    /// Returns a buffer of exactly <paramref name="tcpLength"/> bytes for one TCP segment from
    /// <paramref name="source"/> to <paramref name="destination"/>, or an empty span if it cannot be
    /// sent now (no route, neighbour unresolved and queue full). TCP then treats the segment as
    /// lost; its timers recover.
    /// </summary>
    Span<byte> BeginSegment(Ipv4Address source, Ipv4Address destination, int tcpLength);

    /// <summary>Sends the segment begun last: the IP layer adds its header (DF set, never fragments).</summary>
    void CommitSegment(in TxNote note);

    /// <summary>The path MTU towards <paramref name="destination"/> (the link MTU unless ICMP lowered it).</summary>
    int PathMtu(Ipv4Address destination);
}
