namespace TinyStack.Host.Links;

/// <summary>The counters of a <see cref="FaultInjectingLink"/>, per direction and summed.</summary>
public sealed class FaultStats
{
    /// <summary>Frames on their way to the stack.</summary>
    public FaultCounters Inbound { get; } = new();

    /// <summary>Frames on their way from the stack to the inner device.</summary>
    public FaultCounters Outbound { get; } = new();

    public long Dropped => Inbound.Dropped + Outbound.Dropped;

    public long Corrupted => Inbound.Corrupted + Outbound.Corrupted;

    public long Duplicated => Inbound.Duplicated + Outbound.Duplicated;

    public long Reordered => Inbound.Reordered + Outbound.Reordered;

    public long QueueDrops => Inbound.QueueDrops + Outbound.QueueDrops;

    public override string ToString() => $"in: {Inbound}; out: {Outbound}";
}
