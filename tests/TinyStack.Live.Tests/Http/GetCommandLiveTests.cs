using TinyStack.Live.Tests.Infrastructure;

namespace TinyStack.Live.Tests.Http;

/// <summary>
/// <c>tinystack get</c>: a second TinyStack (tap1, 10.0.0.3) as the HTTP client, fetching from the
/// TinyStack server (tap0) and from a server on the kernel's TCP that answers chunked.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class GetCommandLiveTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Get_fetches_from_tinystack_with_content_length_and_over_tls()
    {
        using Lab lab = new(taps: 2);
        lab.StartStack(extraArgs: ["--tls"]);
        ProcessResult page = Get(lab, "-i", "http://10.0.0.2/index.html");
        Assert.True(page.ExitCode == 0, page.ToString());
        Assert.StartsWith("HTTP/1.1 200 OK", page.Stdout, StringComparison.Ordinal);
        Assert.Contains("Content-Length: ", page.Stdout);
        Assert.Contains("Hello from TinyStack", page.Stdout);

        ProcessResult stats = Get(lab, "http://10.0.0.2/stats");
        Assert.Contains("\"remote\": \"10.0.0.3:", stats.Stdout);

        ProcessResult tls = Get(lab, "-k", "https://10.0.0.2/bytes/100k");
        Assert.True(tls.ExitCode == 0, tls.ToString());
        // 64-byte lines: collected line by line, the output keeps its length.
        Assert.Equal(100 * 1024, tls.Stdout.Length);

        ProcessResult missing = Get(lab, "http://10.0.0.2/nothing");
        Assert.Equal(22, missing.ExitCode);
    }

    [Fact]
    public async Task Get_reads_a_chunked_response_from_the_kernel()
    {
        using Lab lab = new(taps: 2);
        const string Server = """
            import socket
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("10.0.0.1", 8080)); s.listen(1); s.settimeout(60)
            c, _ = s.accept(); c.settimeout(30)
            req = b""
            while b"\r\n\r\n" not in req:
                req += c.recv(4096)
            assert req.startswith(b"GET /chunked HTTP/1.1\r\n"), req
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
            for part in (b"chunked ", b"from ", b"the kernel\n"):
                c.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            c.sendall(b"0\r\nX-Done: yes\r\n\r\n")
            c.close()
            """;
        string script = Path.Combine(Path.GetTempPath(), $"ts-chunked-{Environment.ProcessId}.py");
        File.WriteAllText(script, Server);
        try
        {
            Task<ProcessResult> server = Task.Run(() => lab.Exec(s_timeout, "/usr/bin/python3", script));
            await Task.Delay(500);
            ProcessResult fetched = Get(lab, "-i", "http://10.0.0.1:8080/chunked");
            Assert.True(fetched.ExitCode == 0, fetched.ToString());
            Assert.Contains("Transfer-Encoding: chunked", fetched.Stdout);
            Assert.EndsWith("chunked from the kernel\n", fetched.Stdout, StringComparison.Ordinal);
            ProcessResult served = await server;
            Assert.True(served.ExitCode == 0, served.ToString());
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static ProcessResult Get(Lab lab, params string[] args) =>
        lab.Exec(s_timeout, [Repo.Script("tinystack"), "get", "--tap", "tap1", "--ip", "10.0.0.3/24", .. args]);
}
