namespace TinyStack;

/// <summary>
/// Where the stack hands the frames it emits. The span is only valid during the call: the stack
/// builds frames in place in its own transmit buffer and reuses it for the next frame.
/// </summary>
public interface IFrameSink
{
    void Transmit(ReadOnlySpan<byte> frame, in TxNote note);
}
