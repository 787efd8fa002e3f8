using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Http;

/// <summary>
/// The web site of <c>tinystack run</c> with real clients in the lab: the kernel's TCP (curl,
/// Python) is the client, TinyStack's own TCP and HTTP serve.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class HttpRoutesLiveTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);
    private readonly string _www = Directory.CreateTempSubdirectory("ts-live-www-").FullName;

    public void Dispose() => Directory.Delete(_www, recursive: true);

    [Fact]
    public void Curl_every_route_and_method()
    {
        File.WriteAllText(Path.Combine(_www, "hello.txt"), "hello from a file\n");
        File.WriteAllText(Path.Combine(_www, "site.css"), "body { color: teal; }\n");
        string outside = _www + "-outside.txt";
        File.WriteAllText(outside, "TOP-SECRET\n");
        File.CreateSymbolicLink(Path.Combine(_www, "leak.txt"), outside);
        try
        {
            using Lab lab = new();
            lab.StartStack(extraArgs: ["--www", _www]);
            Expect(lab, 200, "You are talking to TinyStack", "http://10.0.0.2/");
            Expect(lab, 200, "\"connections\"", "http://10.0.0.2/stats");
            Expect(lab, 200, "Hello from TinyStack", "http://10.0.0.2/index.html");
            Expect(lab, 200, "hello from a file", "http://10.0.0.2/hello.txt");
            Expect(lab, 200, "Visit 1", "http://10.0.0.2/session");
            Expect(lab, 404, "404 Not Found", "http://10.0.0.2/nothing-here");
            Expect(lab, 405, "allowed: GET, HEAD, OPTIONS", "-X", "DELETE", "http://10.0.0.2/stats");
            Expect(lab, 200, "hello there", "--data-binary", "hello there", "http://10.0.0.2/echo");
            Expect(lab, 200, "\"bytes\":5", "--data-binary", "12345", "http://10.0.0.2/discard");
            string big = Path.Combine(_www, "big.bin");
            File.WriteAllBytes(big, new byte[2_000_000]);
            Expect(lab, 413, "request body too large", "--data-binary", "@" + big, "http://10.0.0.2/echo");

            // The REST resource: create, read, list, replace, edit, delete, and the errors.
            Expect(lab, 201, "\"id\":1", "-H", "Content-Type: application/json", "-d", "{\"title\":\"t\",\"text\":\"first\"}", "http://10.0.0.2/api/notes");
            Expect(lab, 200, "\"text\":\"first\"", "http://10.0.0.2/api/notes/1");
            Expect(lab, 200, "[{\"id\":1", "http://10.0.0.2/api/notes");
            Expect(lab, 200, "\"text\":\"second\"", "-X", "PUT", "-d", "{\"text\":\"second\"}", "http://10.0.0.2/api/notes/1");
            Expect(lab, 200, "\"title\":\"new\",\"text\":\"second\"", "-X", "PATCH", "-d", "{\"title\":\"new\"}", "http://10.0.0.2/api/notes/1");
            Expect(lab, 400, "\"error\"", "-d", "{\"text\":", "http://10.0.0.2/api/notes");
            Expect(lab, 204, string.Empty, "-X", "DELETE", "http://10.0.0.2/api/notes/1");
            Expect(lab, 404, "no note 1", "http://10.0.0.2/api/notes/1");
            Expect(lab, 204, string.Empty, "-X", "OPTIONS", "-H", "Origin: http://example.test", "-H", "Access-Control-Request-Method: PATCH", "http://10.0.0.2/api/notes/1");

            // Headers: Location and CORS on create, HEAD without a body, 304 for a fresh copy.
            string created = Curl(lab, "-si", "-d", "{\"text\":\"x\"}", "http://10.0.0.2/api/notes");
            Assert.Contains("Location: /api/notes/2", created);
            Assert.Contains("Access-Control-Allow-Origin: *", created);
            string head = Curl(lab, "-sI", "http://10.0.0.2/bytes/1g");
            Assert.Contains("Content-Length: 1073741824", head);
            string css = Curl(lab, "-si", "http://10.0.0.2/site.css");
            Assert.Contains("Content-Type: text/css; charset=utf-8", css);
            string modified = css.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith("Last-Modified: ", StringComparison.Ordinal))["Last-Modified: ".Length..];
            Expect(lab, 304, string.Empty, "-H", $"If-Modified-Since: {modified}", "http://10.0.0.2/site.css");

            // No way out of --www: dot segments (raw and encoded) and a symlink that leads outside.
            foreach (string path in new[] { "/../" + Path.GetFileName(outside), "/%2e%2e/" + Path.GetFileName(outside), "/%2E%2E/%2E%2E/etc/passwd" })
            {
                string body = Curl(lab, "-s", "--path-as-is", "-w", "\n%{http_code}", "http://10.0.0.2" + path).TrimEnd('\n');
                Assert.EndsWith("\n404", body, StringComparison.Ordinal);
                Assert.DoesNotContain("TOP-SECRET", body);
            }

            Expect(lab, 403, "outside the served directory", "http://10.0.0.2/leak.txt");
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void Curl_reuses_one_connection_for_two_urls()
    {
        using Lab lab = new();
        lab.StartStack();
        ProcessResult result = lab.Exec(s_timeout, "curl", "-sv", "-o", "/dev/null", "-o", "/dev/null", "http://10.0.0.2/", "http://10.0.0.2/index.html");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Re-using existing connection", result.Stderr);
        Assert.Equal(2, result.Stderr.Split("< HTTP/1.1 200 OK").Length - 1);
    }

    [Fact]
    public void Python_http_client_uses_every_method_on_one_kept_alive_connection()
    {
        using Lab lab = new();
        lab.StartStack();
        const string Script = """
            import http.client, json
            c = http.client.HTTPConnection("10.0.0.2", 80, timeout=10)
            def call(method, path, body=None, headers={}):
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                return r, data
            r, d = call("GET", "/"); assert r.status == 200 and b"TinyStack" in d, r.status
            sock = c.sock
            r, d = call("HEAD", "/index.html"); assert r.status == 200 and d == b"" and int(r.getheader("Content-Length")) > 1000
            r, d = call("POST", "/api/notes", json.dumps({"title": "py", "text": "from python"}), {"Content-Type": "application/json"})
            assert r.status == 201, r.status
            loc = r.getheader("Location")
            r, d = call("GET", loc); assert json.loads(d)["text"] == "from python"
            r, d = call("PUT", loc, json.dumps({"text": "put"})); assert r.status == 200 and json.loads(d)["text"] == "put"
            r, d = call("PATCH", loc, json.dumps({"title": "patched"})); assert json.loads(d)["title"] == "patched"
            r, d = call("DELETE", loc); assert r.status == 204 and d == b""
            r, d = call("GET", loc); assert r.status == 404
            r, d = call("OPTIONS", "/api/notes"); assert r.status == 204 and "POST" in r.getheader("Allow")
            r, d = call("POST", "/echo", b"x" * 100000); assert d == b"x" * 100000
            c.putrequest("POST", "/discard"); c.putheader("Transfer-Encoding", "chunked"); c.endheaders()
            for part in (b"abc", b"defg"):
                c.send(b"%x\r\n%s\r\n" % (len(part), part))
            c.send(b"0\r\nX-Trailer: 1\r\n\r\n")
            r = c.getresponse(); d = json.loads(r.read()); assert d["bytes"] == 7, d
            assert c.sock is sock, "the connection was not reused"
            print("python ok")
            """;
        ProcessResult result = lab.Exec(s_timeout, "/usr/bin/python3", "-c", Script);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("python ok", result.Stdout);
    }

    [Fact]
    public void A_slowloris_client_gets_408_and_is_closed_and_over_the_cap_is_503()
    {
        using Lab lab = new();
        lab.StartStack(extraArgs: ["--http-header-timeout", "1s", "--http-max-connections", "3"]);
        const string Script = """
            import socket, time
            s = socket.create_connection(("10.0.0.2", 80), timeout=10)
            start = time.time()
            s.sendall(b"GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n")
            got = b""
            try:
                for i in range(20):
                    s.sendall(b"X-Slow-%d: still coming\r\n" % i)
                    time.sleep(0.2)
            except OSError:
                pass
            while True:
                try:
                    chunk = s.recv(4096)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                got += chunk
            took = time.time() - start
            assert got.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), got
            assert b"Connection: close" in got
            assert 0.9 < took < 6, took
            print("slowloris closed after %.1f s" % took)
            held = [socket.create_connection(("10.0.0.2", 80), timeout=10) for _ in range(3)]
            for h in held:
                h.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
                assert h.recv(65536).startswith(b"HTTP/1.1 200 OK")
            extra = socket.create_connection(("10.0.0.2", 80), timeout=10)
            refused = extra.recv(4096)
            assert refused.startswith(b"HTTP/1.1 503 Service Unavailable"), refused
            print("cap ok")
            """;
        ProcessResult result = lab.Exec(s_timeout, "/usr/bin/python3", "-c", Script);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("cap ok", result.Stdout);

        // The timed-out connection is gone from the server.
        string stats = Curl(lab, "-s", "http://10.0.0.2/stats");
        Assert.Contains("\"headerTimeouts\": 1", stats);
        Assert.Contains("\"connectionsRefused\": 1", stats);
    }

    private static string Curl(Lab lab, params string[] args)
    {
        ProcessResult result = lab.Exec(s_timeout, ["curl", "-m", "30", .. args]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }

    /// <summary>curl ARGS; the status must be <paramref name="status"/> and the body contain <paramref name="contains"/>.</summary>
    private void Expect(Lab lab, int status, string contains, params string[] args)
    {
        // Output is collected line by line, so it ends with a newline after the status code.
        string text = Curl(lab, ["-s", "-w", "\n%{http_code}", .. args]).TrimEnd('\n');
        int split = text.LastIndexOf('\n');
        string body = text[..split];
        output.WriteLine($"curl {string.Join(' ', args)} -> {text[(split + 1)..]}");
        Assert.True(text[(split + 1)..] == status.ToString(System.Globalization.CultureInfo.InvariantCulture), $"curl {string.Join(' ', args)}: {text}");
        Assert.Contains(contains, body);
    }
}
