using System.Globalization;
using System.Text.RegularExpressions;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Http;

/// <summary>
/// Load and bulk transfer against TinyStack's HTTP server from the kernel: wrk (keep-alive
/// requests), ab (a new connection per request), a large download and upload. Bounded in time;
/// figures go to out/figures.txt. TS_HTTP_BIG_DOWNLOAD=10g runs the issue's 10 GiB download.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed partial class HttpLoadLiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void Wrk_keep_alive_load_finishes_without_errors()
    {
        using Lab lab = new();
        lab.StartStack();
        ProcessResult wrk = lab.Exec(s_timeout, "wrk", "-t1", "-c16", "-d5s", "--latency", "http://10.0.0.2/index.html");
        output.WriteLine(wrk.ToString());
        Assert.True(wrk.ExitCode == 0, wrk.ToString());
        Assert.DoesNotContain("Socket errors", wrk.Stdout);
        Assert.DoesNotContain("Non-2xx", wrk.Stdout);
        double rate = double.Parse(RequestsPerSecond().Match(wrk.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(rate > 100, $"only {rate} requests/s");
        string p99 = Latency99().Match(wrk.Stdout).Groups[1].Value;
        Figures.Record(string.Create(CultureInfo.InvariantCulture, $"HTTP wrk -t1 -c16 -d5s /index.html (1.6 KB, keep-alive): {rate:0} requests/s, p99 latency {p99}"));
    }

    [Fact]
    public void Ab_one_connection_per_request_finishes_without_errors()
    {
        using Lab lab = new();
        lab.StartStack();
        ProcessResult ab = lab.Exec(s_timeout, "ab", "-q", "-n", "5000", "-c", "32", "http://10.0.0.2/index.html");
        output.WriteLine(ab.ToString());
        Assert.True(ab.ExitCode == 0, ab.ToString());
        Assert.Matches(@"Complete requests:\s+5000", ab.Stdout);
        Assert.Matches(@"Failed requests:\s+0", ab.Stdout);
        Assert.DoesNotContain("Non-2xx", ab.Stdout);
        double rate = double.Parse(AbRate().Match(ab.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        Figures.Record(string.Create(CultureInfo.InvariantCulture, $"HTTP ab -n 5000 -c 32 /index.html (new connection per request): {rate:0} connections/s, 0 failed"));

        // Same with keep-alive (-k): requests per second over 32 reused connections.
        ProcessResult keep = lab.Exec(s_timeout, "ab", "-q", "-k", "-n", "20000", "-c", "32", "http://10.0.0.2/index.html");
        Assert.Matches(@"Failed requests:\s+0", keep.Stdout);
        double keepRate = double.Parse(AbRate().Match(keep.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        Figures.Record(string.Create(CultureInfo.InvariantCulture, $"HTTP ab -k -n 20000 -c 32 /index.html (keep-alive): {keepRate:0} requests/s, 0 failed"));
    }

    [Fact]
    public void A_large_download_and_a_large_upload_arrive_whole()
    {
        string size = Environment.GetEnvironmentVariable("TS_HTTP_BIG_DOWNLOAD") is { Length: > 0 } big ? big : "1g";
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

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"99%\s+(\S+)")]
    private static partial Regex Latency99();

    [GeneratedRegex(@"Requests per second:\s+([\d.]+)")]
    private static partial Regex AbRate();
}
