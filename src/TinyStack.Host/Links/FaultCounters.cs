using System.Globalization;

namespace TinyStack.Host.Links;

/// <summary>What a <see cref="FaultInjectingLink"/> did to the frames of one direction.</summary>
public sealed class FaultCounters
{
    /// <summary>Frames that entered the injector.</summary>
    public long Frames { get; internal set; }

    /// <summary>Frames that left it (duplicates included).</summary>
    public long Delivered { get; internal set; }

    /// <summary>Frames lost at random (<see cref="FaultOptions.DropRate"/>).</summary>
    public long Dropped { get; internal set; }

    /// <summary>Frames with one bit flipped.</summary>
    public long Corrupted { get; internal set; }

    /// <summary>Frames delivered a second time.</summary>
    public long Duplicated { get; internal set; }

    /// <summary>Frames held back and delivered after their successor (or after the hold time).</summary>
    public long Reordered { get; internal set; }

    /// <summary>Frames dropped because the bottleneck queue was full (drop-tail).</summary>
    public long QueueDrops { get; internal set; }

    /// <summary>Frames dropped because too many were in flight at once (a safety bound, not a model).</summary>
    public long OverflowDrops { get; internal set; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"frames={Frames} delivered={Delivered} dropped={Dropped} corrupted={Corrupted} duplicated={Duplicated} reordered={Reordered} queue-drops={QueueDrops} overflow-drops={OverflowDrops}");
}
