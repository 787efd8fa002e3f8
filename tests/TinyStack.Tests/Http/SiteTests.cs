using System.Text.Json;
using TinyStack.Http;
using TinyStack.Http.Client;
using TinyStack.Http.Site;

namespace TinyStack.Tests.Http;

/// <summary>The built-in site over two stacks on a memory link.</summary>
public sealed class SiteTests : IDisposable
{
    private readonly string _www = Directory.CreateTempSubdirectory("ts-www-").FullName;

    public void Dispose() => Directory.Delete(_www, recursive: true);

    [Fact]
    public async Task Home_page_and_stats_describe_the_stack_and_this_connection()
    {
        await using SiteFixture site = new(null);
        using ServerFixture.Client client = await site.Fixture.ConnectAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n");
        (HttpClientResponse page, string html) = await client.ReceiveAsync();
        Assert.Equal("text/html; charset=utf-8", page.GetHeader("Content-Type"));
        Assert.Contains("You are talking to TinyStack", html);
        Assert.Contains("10.0.0.2/24", html);
        Assert.Contains($"<code>{client.Stream.LocalEndPoint}</code>", html);
        Assert.Contains("fetch(\"/stats\"", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        await client.SendAsync("GET /stats HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n");
        (HttpClientResponse statsHead, string stats) = await client.ReceiveAsync();
        Assert.Equal("application/json", statsHead.GetHeader("Content-Type"));
        using JsonDocument json = JsonDocument.Parse(stats);
        JsonElement root = json.RootElement;
        Assert.Equal("10.0.0.2/24", root.GetProperty("address").GetString());
        Assert.True(root.GetProperty("tcp").GetProperty("segmentsReceived").GetInt64() > 0);
        Assert.True(root.GetProperty("host").GetProperty("framesReceived").GetInt64() > 0);
        Assert.True(root.GetProperty("host").GetProperty("allocatedBytes").GetInt64() > 0, "the stack thread allocated at least its start-up");
        Assert.Equal("pool", root.GetProperty("host").GetProperty("continuations").GetString());
        Assert.Equal(1, root.GetProperty("http")[0].GetProperty("connectionsActive").GetInt64());
        JsonElement mine = root.GetProperty("connections").EnumerateArray()
            .Single(c => c.GetProperty("remote").GetString() == client.Stream.LocalEndPoint.ToString());
        Assert.Equal("Established", mine.GetProperty("state").GetString());
        Assert.Equal("10.0.0.2:80", mine.GetProperty("local").GetString());
        Assert.True(mine.GetProperty("cwnd").GetInt64() > 0);
        Assert.True(mine.GetProperty("ssthresh").GetInt64() > 0);
        Assert.True(mine.GetProperty("rtoMs").GetDouble() > 0);
        Assert.True(mine.GetProperty("srttMs").GetDouble() >= 0);
        Assert.Equal(0, mine.GetProperty("retransmits").GetInt64());
        Assert.Equal(2, mine.GetProperty("httpRequests").GetInt64());

        // Bytes in: both requests, exactly (read on the stack thread after the second arrived).
        // Bytes out: the first response, acknowledged by the second request; not yet the second.
        Assert.Equal("GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n".Length + "GET /stats HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n".Length, mine.GetProperty("bytesIn").GetInt64());
        long bytesOut = mine.GetProperty("bytesOut").GetInt64();
        int htmlBytes = System.Text.Encoding.UTF8.GetByteCount(html);
        Assert.InRange(bytesOut, htmlBytes + 100, htmlBytes + 1000);
    }

    [Fact]
    public async Task Bytes_echo_discard_and_the_static_page()
    {
        await using SiteFixture site = new(null);
        using ServerFixture.Client client = await site.Fixture.ConnectAsync();
        await client.SendAsync("GET /bytes/1m HTTP/1.1\r\nHost: h\r\n\r\nHEAD /bytes/5g HTTP/1.1\r\nHost: h\r\n\r\nGET /bytes/x HTTP/1.1\r\nHost: h\r\n\r\n");
        (HttpClientResponse bytes, string body) = await client.ReceiveAsync();
        Assert.Equal(1 << 20, bytes.ContentLength);
        Assert.Equal(1 << 20, body.Length);
        Assert.Equal(new string('\n', 1 << 14), string.Concat(body.Where((_, i) => i % 64 == 63)));
        (HttpClientResponse head, _) = await client.ReceiveAsync(toHead: true);
        Assert.Equal(5L << 30, head.ContentLength);
        Assert.Equal(400, (await client.ReceiveAsync()).Response.StatusCode);

        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Type: text/x-test\r\nContent-Length: 11\r\n\r\nhello there");
        (HttpClientResponse echo, string echoed) = await client.ReceiveAsync();
        Assert.Equal("hello there", echoed);
        Assert.Equal("text/x-test", echo.GetHeader("Content-Type"));

        await client.SendAsync("POST /discard HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
        using (JsonDocument discard = JsonDocument.Parse((await client.ReceiveAsync()).Body))
        {
            Assert.Equal(3, discard.RootElement.GetProperty("bytes").GetInt64());
            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", discard.RootElement.GetProperty("sha256").GetString());
        }

        await client.SendAsync("GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n");
        (HttpClientResponse index, string indexHtml) = await client.ReceiveAsync();
        Assert.Equal("text/html; charset=utf-8", index.GetHeader("Content-Type"));
        Assert.InRange(index.ContentLength!.Value, 1400, 2100);
        Assert.Contains("Hello from TinyStack", indexHtml);
    }

    [Fact]
    public async Task Notes_api_create_read_update_delete_with_cors()
    {
        await using SiteFixture site = new(null);
        using ServerFixture.Client client = await site.Fixture.ConnectAsync();

        async Task<(HttpClientResponse Response, string Body)> Send(string method, string path, string? json = null)
        {
            string body = json ?? string.Empty;
            await client.SendAsync($"{method} {path} HTTP/1.1\r\nHost: h\r\nOrigin: http://example.test\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
            return await client.ReceiveAsync();
        }

        (HttpClientResponse created, string createdBody) = await Send("POST", "/api/notes", "{\"title\":\"first\",\"text\":\"hello\"}");
        Assert.Equal(201, created.StatusCode);
        Assert.Equal("/api/notes/1", created.GetHeader("Location"));
        Assert.Equal("*", created.GetHeader("Access-Control-Allow-Origin"));
        Assert.Equal("Location", created.GetHeader("Access-Control-Expose-Headers"));
        Assert.Contains("\"text\":\"hello\"", createdBody);

        Assert.Contains("\"title\":\"first\"", (await Send("GET", "/api/notes/1")).Body);
        Assert.Contains("\"id\":1", (await Send("GET", "/api/notes")).Body);
        (HttpClientResponse put, string putBody) = await Send("PUT", "/api/notes/1", "{\"text\":\"replaced\"}");
        Assert.Equal(200, put.StatusCode);
        Assert.Contains("\"title\":\"\"", putBody);
        (HttpClientResponse patch, string patchBody) = await Send("PATCH", "/api/notes/1", "{\"title\":\"renamed\"}");
        Assert.Equal(200, patch.StatusCode);
        Assert.Contains("\"title\":\"renamed\",\"text\":\"replaced\"", patchBody);
        Assert.Equal(400, (await Send("POST", "/api/notes", "{\"text\": 5}")).Response.StatusCode);
        Assert.Equal(400, (await Send("POST", "/api/notes", "not json")).Response.StatusCode);
        Assert.Equal(400, (await Send("PATCH", "/api/notes/1", "{}")).Response.StatusCode);
        Assert.Equal(404, (await Send("GET", "/api/notes/99")).Response.StatusCode);
        Assert.Equal(404, (await Send("PUT", "/api/notes/x", "{\"text\":\"a\"}")).Response.StatusCode);
        Assert.Equal(204, (await Send("DELETE", "/api/notes/1")).Response.StatusCode);
        Assert.Equal(404, (await Send("DELETE", "/api/notes/1")).Response.StatusCode);

        await client.SendAsync("OPTIONS /api/notes/1 HTTP/1.1\r\nHost: h\r\nOrigin: http://example.test\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\n\r\n");
        (HttpClientResponse preflight, _) = await client.ReceiveAsync();
        Assert.Equal(204, preflight.StatusCode);
        Assert.Equal("*", preflight.GetHeader("Access-Control-Allow-Origin"));
        Assert.Contains("PUT", preflight.GetHeader("Access-Control-Allow-Methods"));
        Assert.Equal("content-type", preflight.GetHeader("Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Session_cookie_counts_visits()
    {
        await using SiteFixture site = new(null);
        using ServerFixture.Client client = await site.Fixture.ConnectAsync();
        await client.SendAsync("GET /session HTTP/1.1\r\nHost: h\r\n\r\n");
        (HttpClientResponse first, string firstBody) = await client.ReceiveAsync();
        string cookie = first.GetHeader("Set-Cookie")!;
        Assert.Contains("HttpOnly", cookie);
        Assert.Contains("Visit 1", firstBody);
        string pair = cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];
        for (int visit = 2; visit <= 3; visit++)
        {
            await client.SendAsync($"GET /session HTTP/1.1\r\nHost: h\r\nCookie: theme=dark; {pair}\r\n\r\n");
            (HttpClientResponse again, string body) = await client.ReceiveAsync();
            Assert.Null(again.GetHeader("Set-Cookie"));
            Assert.Contains($"Visit {visit}", body);
        }
    }

    [Fact]
    public async Task Static_files_have_types_conditional_get_and_no_way_out()
    {
        File.WriteAllText(Path.Combine(_www, "style.css"), "body{}");
        Directory.CreateDirectory(Path.Combine(_www, "docs"));
        File.WriteAllText(Path.Combine(_www, "docs", "index.html"), "<p>docs</p>");
        string outside = Path.Combine(Path.GetDirectoryName(_www)!, Path.GetFileName(_www) + "-outside.txt");
        File.WriteAllText(outside, "TOP-SECRET-CONTENT");
        File.CreateSymbolicLink(Path.Combine(_www, "escape.txt"), outside);
        File.CreateSymbolicLink(Path.Combine(_www, "inside.css"), Path.Combine(_www, "style.css"));
        Directory.CreateSymbolicLink(Path.Combine(_www, "etc"), "/etc");
        try
        {
            await using SiteFixture site = new(_www);
            using ServerFixture.Client client = await site.Fixture.ConnectAsync();
            await client.SendAsync("GET /style.css HTTP/1.1\r\nHost: h\r\n\r\n");
            (HttpClientResponse css, string cssBody) = await client.ReceiveAsync();
            Assert.Equal("body{}", cssBody);
            Assert.Equal("text/css; charset=utf-8", css.GetHeader("Content-Type"));
            string modified = css.GetHeader("Last-Modified")!;

            await client.SendAsync($"GET /style.css HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: {modified}\r\n\r\n");
            (HttpClientResponse notModified, string empty) = await client.ReceiveAsync();
            Assert.Equal(304, notModified.StatusCode);
            Assert.Equal(string.Empty, empty);

            await client.SendAsync("GET /style.css HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n\r\n");
            Assert.Equal(200, (await client.ReceiveAsync()).Response.StatusCode);

            foreach ((string path, int status) in new[]
            {
                ("/docs/", 200), ("/docs", 200), ("/inside.css", 200), ("/missing", 404),
                ("/../" + Path.GetFileName(outside), 404), ("/%2e%2e/" + Path.GetFileName(outside), 404), ("/docs/%2E%2E/%2e%2e/etc/passwd", 404),
                ("/docs/..%2F..%2Fetc/passwd", 404), ("//etc/passwd", 404), ("/escape.txt", 403), ("/etc/passwd", 403),
            })
            {
                using ServerFixture.Client each = await site.Fixture.ConnectAsync();
                await each.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n");
                (HttpClientResponse response, string body) = await ReceiveOrExplain(each, path);
                Assert.True(status == response.StatusCode, $"{path}: {response.StatusCode} {body}");
                Assert.DoesNotContain("TOP-SECRET-CONTENT", body);
                Assert.DoesNotContain("root:", body);
            }
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1048576", 1048576L)]
    [InlineData("64k", 65536L)]
    [InlineData("10M", 10485760L)]
    [InlineData("1g", 1073741824L)]
    public void Byte_counts_take_binary_suffixes(string text, long expected)
    {
        Assert.True(TinyStackSite.TryParseCount(text, out long count));
        Assert.Equal(expected, count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("k")]
    [InlineData("-1")]
    [InlineData("1.5m")]
    [InlineData("99999999999999999g")]
    public void Bad_byte_counts_are_refused(string text) => Assert.False(TinyStackSite.TryParseCount(text, out _));

    private static async Task<(HttpClientResponse Response, string Body)> ReceiveOrExplain(ServerFixture.Client client, string path)
    {
        try
        {
            return await client.ReceiveAsync();
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"GET {path}: {e.Message}", e);
        }
    }

    private sealed class SiteFixture : IAsyncDisposable
    {
        public SiteFixture(string? www)
        {
            SiteOptions? options = null;
            Fixture = new ServerFixture(app => { }, null, host =>
            {
                options = new SiteOptions(host) { WwwRoot = www };
                return TinyStackSite.Create(options);
            });
            options!.Servers = [Fixture.Server];
        }

        public ServerFixture Fixture { get; }

        public ValueTask DisposeAsync() => Fixture.DisposeAsync();
    }
}
