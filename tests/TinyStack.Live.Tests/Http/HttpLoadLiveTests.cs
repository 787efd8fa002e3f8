using System.Globalization;
using System.Text.RegularExpressions;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Http;

/// <summary>
/// Load and bulk transfer against TinyStack's HTTP server from the kernel: wrk (keep-alive
/// requests) and ab (a new connection per request), each also run against nginx on the kernel's
/// own TCP in the same lab with the same page, so the figures stand side by side; and the issue's
/// 10 GiB download checked by length, and an upload checked by SHA-256. Bounded in time; figures
/// go to out/figures.txt. TS_HTTP_BIG_DOWNLOAD (e.g. 1g) makes the download smaller.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed partial class HttpLoadLiveTests(ITestOutputHelper output)
{
    private const string Page = "http://10.0.0.2/index.html";

    // A second TinyStack in the same lab with `--continuations pool`, so the figures show what
    // running the site on the stack thread (run's default) buys, side by side.
    private const string PoolPage = "http://10.0.0.3/index.html";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void Wrk_keep_alive_load_finishes_without_errors_next_to_nginx()
    {
        using Lab lab = StartBothStacks();
        using KernelNginx nginx = StartNginxWithThePage(lab);

        // The bar's run, against TinyStack, TinyStack with thread-pool continuations, and nginx on
        // the kernel, back to back, after a warm-up.
        WarmUp(lab);
        (double ours, string oursP50, string oursP99) = Wrk(lab, Page);
        (double pool, string poolP50, string poolP99) = Wrk(lab, PoolPage);
        (double kernel, string kernelP50, string kernelP99) = Wrk(lab, nginx.Url("/index.html"));
        Assert.True(ours > 100, $"only {ours} requests/s");
        Assert.True(pool > 100, $"only {pool} requests/s with --continuations pool");
        Figures.Record(string.Create(CultureInfo.InvariantCulture,
            $"HTTP wrk -t1 -c16 -d10s /index.html (1.7 KB, keep-alive): TinyStack {ours:0} requests/s (p50 {oursP50}, p99 {oursP99}), with --continuations pool {pool:0} (p50 {poolP50}, p99 {poolP99}), nginx on the kernel {kernel:0} requests/s (p50 {kernelP50}, p99 {kernelP99}); TinyStack/nginx {ours / kernel:0.00}, 0 errors"));
    }

    [Fact]
    public void Ab_one_connection_per_request_finishes_without_errors_next_to_nginx()
    {
        using Lab lab = StartBothStacks();
        using KernelNginx nginx = StartNginxWithThePage(lab);

        WarmUp(lab);
        double ours = Ab(lab, Page, 20_000, keepAlive: false);
        double pool = Ab(lab, PoolPage, 20_000, keepAlive: false);
        double kernel = Ab(lab, nginx.Url("/index.html"), 20_000, keepAlive: false);
        Figures.Record(string.Create(CultureInfo.InvariantCulture,
            $"HTTP ab -n 20000 -c 32 /index.html (new connection per request): TinyStack {ours:0} connections/s, with --continuations pool {pool:0}, nginx on the kernel {kernel:0} connections/s; TinyStack/nginx {ours / kernel:0.00}, 0 failed"));

        // Same with keep-alive (-k): requests per second over 32 reused connections.
        double keep = Ab(lab, Page, 20_000, keepAlive: true);
        Figures.Record(string.Create(CultureInfo.InvariantCulture, $"HTTP ab -k -n 20000 -c 32 /index.html (keep-alive): TinyStack {keep:0} requests/s, 0 failed"));
    }

    [Fact]
    public void A_large_download_and_a_large_upload_arrive_whole()
    {
        string size = Environment.GetEnvironmentVariable("TS_HTTP_BIG_DOWNLOAD") is { Length: > 0 } big ? big : "10g";
        using Lab lab = new();
        lab.StartStack();
        ProcessResult download = lab.Exec(TimeSpan.FromMinutes(20), "curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{speed_download} %{time_total}", $"http://10.0.0.2/bytes/{size}");
        Assert.True(download.ExitCode == 0, download.ToString());
        string[] fields = download.Stdout.Trim().Split(' ');
        long expected = size.EndsWith('g') ? long.Parse(size[..^1], CultureInfo.InvariantCulture) << 30 : long.Parse(size, CultureInfo.InvariantCulture);
        Assert.Equal(expected, long.Parse(fields[0], CultureInfo.InvariantCulture));
        double bytesPerSecond = double.Parse(fields[1], CultureInfo.InvariantCulture);
        Figures.Record(string.Create(CultureInfo.InvariantCulture, $"HTTP download curl /bytes/{size}: {expected} bytes in {fields[2]} s, {bytesPerSecond * 8 / 1e6:0} Mbit/s"));

        // Upload: 64 MiB of random bytes, streamed by /discard, which answers length and SHA-256.
        string file = Path.Combine(Path.GetTempPath(), $"ts-upload-{Environment.ProcessId}.bin");
        try
        {
            byte[] data = new byte[64 << 20];
            new Random(42).NextBytes(data);
            File.WriteAllBytes(file, data);
            string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
            ProcessResult upload = lab.Exec(s_timeout, "curl", "-s", "-T", file, "-X", "POST", "-w", "\n%{speed_upload}", "http://10.0.0.2/discard");
            Assert.True(upload.ExitCode == 0, upload.ToString());
            Assert.Contains($"\"bytes\":{data.Length}", upload.Stdout);
            Assert.Contains($"\"sha256\":\"{sha}\"", upload.Stdout);
            double up = double.Parse(upload.Stdout.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
            Figures.Record(string.Create(CultureInfo.InvariantCulture, $"HTTP upload curl -T 64 MiB to /discard: SHA-256 matches, {up * 8 / 1e6:0} Mbit/s"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>TinyStack at 10.0.0.2 (run's defaults) and at 10.0.0.3 with --continuations pool.</summary>
    private static Lab StartBothStacks()
    {
        Lab lab = new(taps: 2);
        try
        {
            lab.StartStack();
            lab.StartStack("tap1", "10.0.0.3/24", "--continuations", "pool");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>
    /// nginx in the lab serving the very bytes TinyStack serves as /index.html (fetched from
    /// TinyStack into nginx's root), checked to be the same length through both servers.
    /// </summary>
    private static KernelNginx StartNginxWithThePage(Lab lab)
    {
        KernelNginx nginx = KernelNginx.Start(lab);
        try
        {
            string file = Path.Combine(nginx.Root, "index.html");
            ProcessResult copy = lab.Exec(s_timeout, "curl", "-sf", "-o", file, Page);
            Assert.True(copy.ExitCode == 0, copy.ToString());
            long length = new FileInfo(file).Length;
            Assert.InRange(length, 1000, 4000);
            ProcessResult through = lab.Exec(s_timeout, "curl", "-sf", "-o", "/dev/null", "-w", "%{size_download}", nginx.Url("/index.html"));
            Assert.Equal(length.ToString(CultureInfo.InvariantCulture), through.Stdout.Trim());
            return nginx;
        }
        catch
        {
            nginx.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A short untimed load on both TinyStacks before the measured runs: the runtime compiles the
    /// hot methods again with full optimisation (tiered compilation) during the first second or two
    /// of load, which cost a cold 10-second run 10-25% of its rate. nginx is native and needs none.
    /// </summary>
    private void WarmUp(Lab lab)
    {
        Wrk(lab, Page, "2s");
        Wrk(lab, PoolPage, "2s");
    }

    /// <summary>One <c>wrk -t1 -c16 -d10s</c> run that must finish without socket errors or non-2xx answers.</summary>
    private (double Rate, string P50, string P99) Wrk(Lab lab, string url, string duration = "10s")
    {
        ProcessResult wrk = lab.Exec(s_timeout, "wrk", "-t1", "-c16", "-d" + duration, "--latency", url);
        output.WriteLine(wrk.ToString());
        Assert.True(wrk.ExitCode == 0, wrk.ToString());
        Assert.DoesNotContain("Socket errors", wrk.Stdout);
        Assert.DoesNotContain("Non-2xx", wrk.Stdout);
        double rate = double.Parse(RequestsPerSecond().Match(wrk.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        Match p50 = Latency50().Match(wrk.Stdout);
        Match p99 = Latency99().Match(wrk.Stdout);
        Assert.True(p50.Success && p99.Success, wrk.ToString());
        return (rate, p50.Groups[1].Value, p99.Groups[1].Value);
    }

    /// <summary>One <c>ab -c 32</c> run that must complete every request with 0 failures; returns its rate.</summary>
    private double Ab(Lab lab, string url, int requests, bool keepAlive)
    {
        string count = requests.ToString(CultureInfo.InvariantCulture);
        string[] command = keepAlive ? ["ab", "-q", "-k", "-n", count, "-c", "32", url] : ["ab", "-q", "-n", count, "-c", "32", url];
        ProcessResult ab = lab.Exec(s_timeout, command);
        output.WriteLine(ab.ToString());
        Assert.True(ab.ExitCode == 0, ab.ToString());
        Assert.Matches($@"Complete requests:\s+{count}\b", ab.Stdout);
        Assert.Matches(@"Failed requests:\s+0\b", ab.Stdout);
        Assert.DoesNotContain("Non-2xx", ab.Stdout);
        return double.Parse(AbRate().Match(ab.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+50%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Latency50();

    [GeneratedRegex(@"^\s+99%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Latency99();

    [GeneratedRegex(@"Requests per second:\s+([\d.]+)")]
    private static partial Regex AbRate();
}
