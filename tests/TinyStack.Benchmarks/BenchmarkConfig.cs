using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace TinyStack.Benchmarks;

/// <summary>
/// The configuration every benchmark class here uses: BenchmarkDotNet's ShortRun job (one launch,
/// three warm-up and three measured iterations), so that a full run takes minutes on a small
/// shared machine, plus the median, allocated bytes and throughput.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddJob(Job.ShortRun);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, new ThroughputColumn());

        // "12.34x faster" reads better than a ratio of 0.08.
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
    }
}
