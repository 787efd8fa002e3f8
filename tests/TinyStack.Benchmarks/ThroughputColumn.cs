using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TinyStack.Benchmarks;

/// <summary>
/// Bytes processed per nanosecond (= GB/s, 10^9 bytes per second), from the median time and the
/// benchmark's <c>Size</c> parameter. Shows "-" for benchmarks without a <c>Size</c>.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    public const string SizeParameter = "Size";

    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Throughput: Size bytes / median time, in 10^9 bytes per second";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } statistics || benchmarkCase.Parameters[SizeParameter] is not int size)
        {
            return "-";
        }

        // The median resists the outliers a busy machine produces. Times are in nanoseconds, so
        // bytes per nanosecond is GB/s.
        return (size / statistics.Median).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
