namespace TinyStack;

/// <summary>
/// The event counters of <see cref="Stats"/> other than drops (which are counted per
/// <see cref="DropReason"/>). The names are what the CLI summary prints.
/// </summary>
public enum StatCounter
{
    FramesReceived,
    BytesReceived,
    FramesSent,
    BytesSent,

    ArpRequestsReceived,
    ArpRepliesReceived,
    ArpRequestsSent,
    ArpRepliesSent,
    GratuitousArpsSent,
    ArpResolved,

    Ipv4DatagramsReceived,
    Ipv4DatagramsDelivered,
    Ipv4DatagramsSent,
    Ipv4DatagramsQueuedForArp,
    FragmentsReceived,
    DatagramsReassembled,
    DatagramsFragmented,
    FragmentsSent,

    IcmpEchoRequestsReceived,
    IcmpEchoRepliesSent,
    IcmpErrorsReceived,
    IcmpErrorsSent,
}
