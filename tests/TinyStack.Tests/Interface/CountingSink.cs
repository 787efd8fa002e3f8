namespace TinyStack.Tests.Interface;

/// <summary>
/// A sink that allocates nothing: it copies the last frame into a fixed buffer and counts, so it
/// can stand in for the host in allocation tests.
/// </summary>
internal sealed class CountingSink : IFrameSink
{
    private readonly byte[] _last = new byte[70_000];

    public int Count { get; private set; }

    public int LastLength { get; private set; }

    public ReadOnlySpan<byte> Last => _last.AsSpan(0, LastLength);

    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note)
    {
        frame.CopyTo(_last);
        LastLength = frame.Length;
        Count++;
    }
}
