using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>A TinyStack attached to a link, driven by <see cref="VirtualNetwork"/>.</summary>
public sealed class StackNode : VirtualNetwork.INode, IFrameSink
{
    private readonly byte[] _buffer;
    private Instant _now;

    internal StackNode(NetworkStack stack, ILinkDevice link)
    {
        Stack = stack;
        Link = link;
        _buffer = new byte[link.Mtu + 18];
    }

    public NetworkStack Stack { get; }

    public ILinkDevice Link { get; }

    public Instant NextDeadline => Instant.Min(Stack.NextDeadline, Link.NextDeadline);

    public void Step(Instant now)
    {
        _now = now;
        int length;
        while ((length = Link.Receive(_buffer, now)) > 0)
        {
            DropReason verdict = Stack.Receive(_buffer.AsSpan(0, length), now, this);
            Link.ReportVerdict(verdict);
        }

        Stack.Poll(now, this);
        Link.Poll(now);
    }

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note) => Link.Transmit(frame, note, _now);

    public void Dispose() => Link.Dispose();
}
