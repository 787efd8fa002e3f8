namespace TinyStack.Tests.Tcp;

/// <summary>Tests that measure process-wide memory run alone, not beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurement";
}
