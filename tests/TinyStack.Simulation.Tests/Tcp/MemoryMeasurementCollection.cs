namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>Tests that measure process-wide memory run alone, after the tests that run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurement";
}
