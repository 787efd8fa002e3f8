using System.Text.RegularExpressions;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Http;

/// <summary>HTTPS (SslStream over TinyStack's TcpStream) with curl and openssl as clients.</summary>
[Collection(LiveCollection.Name)]
public sealed partial class HttpsLiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Self_signed_tls_12_and_13_the_printed_fingerprint_and_a_session_cookie()
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack(extraArgs: ["--tls"]);
        string fingerprint = Fingerprint().Match(stack.Output).Groups[1].Value;
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint);

        ProcessResult page = lab.Exec(s_timeout, "curl", "-sk", "-m", "30", "-w", "\n%{http_code} %{ssl_verify_result}", "https://10.0.0.2/");
        Assert.True(page.ExitCode == 0, page.ToString());
        Assert.Contains("over TLS", page.Stdout);
        Assert.Contains("\n200 ", page.Stdout);

        foreach (string version in new[] { "1.2", "1.3" })
        {
            ProcessResult pinned = lab.Exec(s_timeout, "curl", "-sk", "-m", "30", "-o", "/dev/null", $"--tlsv{version}", "--tls-max", version, "-w", "%{http_code}", "https://10.0.0.2/index.html");
            Assert.True(pinned.ExitCode == 0 && pinned.Stdout.Trim() == "200", pinned.ToString());
        }

        // The certificate the server presents is the one whose fingerprint it printed.
        ProcessResult presented = lab.Bash("echo | openssl s_client -connect 10.0.0.2:443 2>/dev/null | openssl x509 -noout -fingerprint -sha256", s_timeout);
        Assert.Contains(fingerprint, presented.Stdout);

        // The session cookie is HttpOnly and Secure over TLS, and counts visits.
        string jar = Path.Combine(Path.GetTempPath(), $"ts-cookies-{Environment.ProcessId}.txt");
        try
        {
            ProcessResult first = lab.Exec(s_timeout, "curl", "-ski", "-m", "30", "-c", jar, "-b", jar, "https://10.0.0.2/session");
            Assert.Matches("Set-Cookie: tinystack_session=[0-9a-f]{32}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax; Secure", first.Stdout);
            Assert.Contains("Visit 1", first.Stdout);
            ProcessResult second = lab.Exec(s_timeout, "curl", "-sk", "-m", "30", "-c", jar, "-b", jar, "https://10.0.0.2/session");
            Assert.Contains("Visit 2", second.Stdout);
        }
        finally
        {
            File.Delete(jar);
        }

        ProcessResult download = lab.Exec(s_timeout, "curl", "-sk", "-m", "60", "-o", "/dev/null", "-w", "%{size_download} %{speed_download}", "https://10.0.0.2/bytes/64m");
        string[] fields = download.Stdout.Trim().Split(' ');
        Assert.Equal("67108864", fields[0]);
        double rate = double.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        Figures.Record(System.FormattableString.Invariant($"HTTPS download curl -k /bytes/64m: {rate * 8 / 1e6:0} Mbit/s"));
        output.WriteLine(stack.Output);
    }

    [Fact]
    public void A_pem_certificate_made_by_openssl_is_served()
    {
        string dir = Directory.CreateTempSubdirectory("ts-pem-").FullName;
        try
        {
            string cert = Path.Combine(dir, "cert.pem");
            string key = Path.Combine(dir, "key.pem");
            ProcessResult made = Shell.Run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=tinystack-pem-test", "-addext", "subjectAltName=IP:10.0.0.2"], s_timeout);
            Assert.True(made.ExitCode == 0, made.ToString());
            using Lab lab = new();
            lab.StartStack(extraArgs: ["--tls", "--cert", cert, "--key", key]);

            // Verified against the certificate itself, not -k: proves the PEM was the one served.
            ProcessResult verified = lab.Exec(s_timeout, "curl", "-s", "-m", "30", "--cacert", cert, "-w", "\n%{http_code}", "https://10.0.0.2/index.html");
            Assert.True(verified.ExitCode == 0, verified.ToString());
            Assert.Contains("Hello from TinyStack", verified.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex("SHA-256 fingerprint ([0-9A-F:]+)")]
    private static partial Regex Fingerprint();
}
