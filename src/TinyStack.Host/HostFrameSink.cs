using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Host;

/// <summary>
/// The <see cref="IFrameSink"/> a <see cref="StackHost"/> gives the stack: it forwards each frame
/// to the link, stamped with the time of the call in progress. One instance, reused: no
/// allocation per frame.
/// </summary>
internal sealed class HostFrameSink : IFrameSink
{
    private readonly ILinkDevice _link;
    private long _framesTransmitted;

    public HostFrameSink(ILinkDevice link)
    {
        _link = link;
    }

    /// <summary>Set by the loop before every call into the stack.</summary>
    public Instant Now { get; set; }

    public long FramesTransmitted => Volatile.Read(ref _framesTransmitted);

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note)
    {
        _link.Transmit(frame, note, Now);
        _framesTransmitted++;
    }
}
