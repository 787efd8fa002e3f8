namespace TinyStack.Tests.Sockets;

/// <summary>Socket tests that measure (allocations, round trips per second) run alone, not beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasurementCollection
{
    public const string Name = "Socket measurements";
}
