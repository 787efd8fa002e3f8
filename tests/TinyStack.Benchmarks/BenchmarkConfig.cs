using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace TinyStack.Benchmarks;

/// <summary>
/// The configuration every benchmark class here uses: BenchmarkDotNet's ShortRun job (one launch,
/// three warm-up and three measured iterations), so that a full run takes minutes on a small
/// shared machine, plus allocated bytes and throughput.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddJob(Job.ShortRun);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new ThroughputColumn());
    }
}
