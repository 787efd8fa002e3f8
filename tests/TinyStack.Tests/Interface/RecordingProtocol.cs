using TinyStack.Interface;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tests.Interface;

/// <summary>A stand-in transport protocol that records what the interface hands it.</summary>
internal sealed class RecordingProtocol : IIpProtocolHandler
{
    public List<RecordedDatagram> Datagrams { get; } = [];

    public List<RecordedIcmpError> Errors { get; } = [];

    public DropReason Verdict { get; set; } = DropReason.Accepted;

    public Instant NextDeadline { get; set; } = Instant.MaxValue;

    public List<Instant> Polls { get; } = [];

    public DropReason HandleDatagram(in Ipv4Datagram datagram, Instant now, IFrameSink tx)
    {
        Datagrams.Add(new RecordedDatagram(
            datagram.Source,
            datagram.Destination,
            datagram.Protocol,
            datagram.Ttl,
            datagram.IsBroadcast,
            datagram.IsLinkBroadcast,
            datagram.Header.ToArray(),
            datagram.Payload.ToArray()));
        return Verdict;
    }

    public bool HandleIcmpError(in IcmpErrorMessage error, Instant now, IFrameSink tx)
    {
        Errors.Add(new RecordedIcmpError(
            error.Type,
            error.Code,
            error.RestOfHeader,
            error.Reporter,
            error.QuotedSource,
            error.QuotedDestination,
            error.QuotedProtocol,
            error.TransportPrefix.ToArray(),
            error.IsLocal));
        return true;
    }

    public void Poll(Instant now, IFrameSink tx)
    {
        Polls.Add(now);
        NextDeadline = Instant.MaxValue;
    }
}
