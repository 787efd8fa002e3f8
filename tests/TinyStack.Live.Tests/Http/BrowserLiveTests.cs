using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Http;

/// <summary>
/// Headless Chromium (Debian's package) loads the home page through TinyStack, runs its script
/// (which polls /stats), and leaves a screenshot in out/http-home.png to look at.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class BrowserLiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Chromium_renders_the_home_page_and_its_live_counters()
    {
        using Lab lab = new();
        lab.StartStack();
        string profile = Directory.CreateTempSubdirectory("ts-chromium-").FullName;
        string screenshot = Path.Combine(Repo.Root, "out", "http-home.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        try
        {
            // The DOM after the page's script ran: the counters came from /stats over TinyStack.
            ProcessResult dom = lab.Exec(s_timeout, [.. Chromium(profile), "--virtual-time-budget=5000", "--dump-dom", "http://10.0.0.2/"]);
            Assert.True(dom.ExitCode == 0, dom.ToString());
            Assert.Contains("You are talking to TinyStack", dom.Stdout);
            Assert.Contains("from /stats.", dom.Stdout);
            Assert.Contains("<td>Established</td>", dom.Stdout);
            Assert.DoesNotContain("loading…", dom.Stdout);

            ProcessResult shot = lab.Exec(s_timeout, [.. Chromium(profile), "--window-size=1200,800", "--virtual-time-budget=3000", $"--screenshot={screenshot}", "http://10.0.0.2/"]);
            Assert.True(shot.ExitCode == 0, shot.ToString());
            Assert.True(File.Exists(screenshot) && new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or empty");
            output.WriteLine($"screenshot: {screenshot} ({new FileInfo(screenshot).Length} bytes)");
            byte[] png = File.ReadAllBytes(screenshot);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    /// <summary>A fresh profile and nothing that reaches out beyond the page itself.</summary>
    private static string[] Chromium(string profile) =>
    [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions", $"--user-data-dir={profile}",
    ];
}
