using TinyStack.Tcp;

namespace TinyStack.Wire;

/// <summary>One SACK block (RFC 2018 §3): the received bytes [Left, Right).</summary>
public readonly record struct SackBlock(SeqNumber Left, SeqNumber Right)
{
    public override string ToString() => $"{Left}:{Right}";
}
