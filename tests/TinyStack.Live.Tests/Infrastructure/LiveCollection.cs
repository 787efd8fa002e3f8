namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>Every live test joins this one collection, so they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCollection
{
    public const string Name = "Live";
}
