using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TinyStack.Benchmarks;

public static class Program
{
    // Arguments that print something and run no benchmark on purpose.
    private static readonly string[] s_informationalArguments = ["--list", "--help", "-h", "-?", "--version", "--info"];

    /// <summary>
    /// Runs the benchmarks chosen by <paramref name="args"/> (BenchmarkSwitcher syntax, e.g.
    /// <c>--filter '*Checksum*'</c>). Exits with 1 when a benchmark failed, or when no benchmark
    /// matched, so that scripts/bench.sh can fail.
    /// </summary>
    public static int Main(string[] args)
    {
        Summary[] summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToArray();
        if (args.Any(s_informationalArguments.Contains))
        {
            return 0;
        }

        if (summaries.Length == 0 || summaries.All(summary => summary.BenchmarksCases.Length == 0))
        {
            Console.Error.WriteLine("error: no benchmark ran; check --filter (list them with --list flat).");
            return 1;
        }

        int failed = summaries.Sum(summary =>
            summary.HasCriticalValidationErrors
                ? summary.BenchmarksCases.Length
                : summary.BenchmarksCases.Length - summary.Reports.Count(report => report.Success));
        if (failed > 0)
        {
            Console.Error.WriteLine($"error: {failed} benchmark(s) failed; see the log above.");
            return 1;
        }

        return 0;
    }
}
