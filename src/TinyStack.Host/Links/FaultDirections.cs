namespace TinyStack.Host.Links;

/// <summary>Which directions of a <see cref="FaultInjectingLink"/> get faults.</summary>
[Flags]
public enum FaultDirections
{
    None = 0,

    /// <summary>Frames the stack receives (from the inner device to the stack).</summary>
    Inbound = 1,

    /// <summary>Frames the stack transmits (from the stack to the inner device).</summary>
    Outbound = 2,

    Both = Inbound | Outbound,
}
