namespace TinyStack.Tests.Interface;

/// <summary>An <see cref="IFrameSink"/> that keeps a copy of every frame with its note.</summary>
internal sealed class RecordingSink : IFrameSink
{
    public List<SentFrame> Frames { get; } = [];

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note) => Frames.Add(new SentFrame(frame.ToArray(), note));

    /// <summary>Returns the frames sent since the last call and forgets them.</summary>
    public List<SentFrame> Take()
    {
        List<SentFrame> taken = [.. Frames];
        Frames.Clear();
        return taken;
    }
}
