using System.Security.Cryptography;
using System.Text;
using TinyStack.Http;
using TinyStack.Http.Client;

namespace TinyStack.Tests.Http;

/// <summary>The server end to end over two stacks on a memory link (TinyStack TCP on both sides).</summary>
public class HttpServerTests
{
    private static void Routes(HttpApp app)
    {
        app.MapGet("/", ctx => ctx.WriteTextAsync(200, "home\n"));
        app.MapGet("/notes/{id}", ctx => ctx.WriteTextAsync(200, $"note {ctx.GetRouteValue("id")} q={ctx.Request.GetQuery("q")}"));
        app.MapDelete("/notes/{id}", ctx =>
        {
            ctx.Response.StatusCode = 204;
            return ValueTask.CompletedTask;
        });
        app.MapPost("/echo", async ctx =>
        {
            byte[] body = await ctx.Request.ReadBodyAsync();
            ctx.Response.ContentType = "application/octet-stream";
            await ctx.Response.WriteAsync(body);
        });
        app.MapPost("/discard", async ctx =>
        {
            using IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = await ctx.Request.Body.ReadAsync(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                total += n;
            }

            await ctx.WriteTextAsync(200, $"{total} {Convert.ToHexStringLower(sha.GetHashAndReset())} trailers={ctx.Request.TrailerCount}");
        }).WithMaxRequestBodyBytes(long.MaxValue);
        app.MapGet("/stream/{n}", async ctx =>
        {
            // No Content-Length: chunked for 1.1, close-delimited for 1.0.
            int n = int.Parse(ctx.GetRouteValue("n")!, System.Globalization.CultureInfo.InvariantCulture);
            byte[] piece = new byte[1000];
            for (int i = 0; i < n; i++)
            {
                piece.AsSpan().Fill((byte)('a' + (i % 26)));
                await ctx.Response.WriteAsync(piece);
            }
        });
        app.MapGet("/fail", _ => throw new InvalidOperationException("boom"));
    }

    [Fact]
    public async Task Get_routes_with_parameters_and_keeps_the_connection_alive()
    {
        await using ServerFixture fixture = new(Routes);
        using ServerFixture.Client client = await fixture.ConnectAsync();
        await client.SendAsync("GET /notes/42?q=a%20b HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n");
        (HttpClientResponse response, string body) = await client.ReceiveAsync();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("note 42 q=a b", body);
        Assert.Equal(body.Length, response.ContentLength);
        Assert.Equal("TinyStack", response.GetHeader("Server"));
        Assert.True(DateTimeOffset.TryParse(response.GetHeader("Date"), out DateTimeOffset date));
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Null(response.GetHeader("Connection"));

        // Same connection, second request.
        await client.SendAsync("GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n");
        Assert.Equal("home\n", (await client.ReceiveAsync()).Body);
        Assert.Equal(1, fixture.Server.Counters.ConnectionsAccepted);
        Assert.Equal(2, fixture.Server.Counters.Requests);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using ServerFixture fixture = new(Routes);
        using ServerFixture.Client client = await fixture.ConnectAsync();
        StringBuilder requests = new();
        for (int i = 0; i < 10; i++)
        {
            requests.Append($"GET /notes/{i} HTTP/1.1\r\nHost: h\r\n\r\n");
        }

        requests.Append("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
        requests.Append("HEAD /notes/x HTTP/1.1\r\nHost: h\r\n\r\n");
        requests.Append("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        await client.SendAsync(requests.ToString());
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal($"note {i} q=", (await client.ReceiveAsync()).Body);
        }

        Assert.Equal("hello", (await client.ReceiveAsync()).Body);
        (HttpClientResponse head, string headBody) = await client.ReceiveAsync(toHead: true);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("note x q=".Length, head.ContentLength);
        Assert.Equal(string.Empty, headBody);
        (HttpClientResponse last, string lastBody) = await client.ReceiveAsync();
        Assert.Equal("home\n", lastBody);
        Assert.Equal("close", last.GetHeader("Connection"));
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task Head_sends_the_get_headers_without_a_body()
    {
        await using ServerFixture fixture = new(Routes);
        using ServerFixture.Client client = await fixture.ConnectAsync();
        await client.SendAsync("HEAD /stream/50 HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
        (HttpClientResponse head, _) = await client.ReceiveAsync(toHead: true);
        Assert.Equal(50_000, head.ContentLength);

        // Had any body byte been sent, this would not parse as the next response.
        Assert.Equal("home\n", (await client.ReceiveAsync()).Body);
    }

    [Fact]
    public async Task Unknown_paths_are_404_other_methods_405_with_allow_and_options_lists_them()
    {
        await using ServerFixture fixture = new(Routes);
        using ServerFixture.Client client = await fixture.ConnectAsync();
        await client.SendAsync("GET /nothing HTTP/1.1\r\nHost: h\r\n\r\nPUT /notes/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}OPTIONS /notes/1 HTTP/1.1\r\nHost: h\r\n\r\nDELETE /notes/1 HTTP/1.1\r\nHost: h\r\n\r\n");
        (HttpClientResponse notFound, string notFoundBody) = await client.ReceiveAsync();
        Assert.Equal(404, notFound.StatusCode);
        Assert.Contains("/nothing", notFoundBody);
        (HttpClientResponse notAllowed, string reason) = await client.ReceiveAsync();
        Assert.Equal(405, notAllowed.StatusCode);
        Assert.Equal("GET, HEAD, DELETE, OPTIONS", notAllowed.GetHeader("Allow"));
        Assert.Contains("PUT /notes/1", reason);
        (HttpClientResponse options, _) = await client.ReceiveAsync();
        Assert.Equal(204, options.StatusCode);
        Assert.Equal("GET, HEAD, DELETE, OPTIONS", options.GetHeader("Allow"));
        (HttpClientResponse deleted, _) = await client.ReceiveAsync();
        Assert.Equal(204, deleted.StatusCode);
        Assert.Null(deleted.ContentLength);
    }

    [Fact]
    public async Task Chunked_request_bodies_with_trailers_stream_through_and_the_connection_continues()
    {
        await using ServerFixture fixture = new(Routes);
        using ServerFixture.Client client = await fixture.ConnectAsync();
        await client.SendAsync("POST /discard HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nDigest: none\r\n\r\n");
        string expected = Convert.ToHexStringLower(SHA256.HashData("abcde"u8));
        Assert.Equal($"5 {expected} trailers=1", (await client.ReceiveAsync()).Body);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nping\r\n0\r\n\r\n");
        Assert.Equal("ping", (await client.ReceiveAsync()).Body);
    }

    [Fact]
    public async Task A_large_upload_streams_to_discard_beyond_the_default_limit()
    {
        await using ServerFixture fixture = new(Routes);
        using ServerFixture.Client client = await fixture.ConnectAsync();
        byte[] body = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(body);
        await client.SendAsync($"POST /discard HTTP/1.1\r\nHost: h\r\nContent-Length: {body.Length}\r\n\r\n");
        await client.Stream.WriteAsync(body).AsTask().WaitAsync(ServerFixture.Patience);
        Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))} trailers=0", (await client.ReceiveAsync()).Body);
    }

    [Fact]
    public async Task Expect_100_continue_gets_the_interim_response_when_the_body_is_read()
    {
        await using ServerFixture fixture = new(Routes);
        using ServerFixture.Client client = await fixture.ConnectAsync();
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        byte[] interim = new byte[25];
        int n = 0;
        while (n < interim.Length)
        {
            n += await client.Stream.ReadAsync(interim.AsMemory(n)).AsTask().WaitAsync(ServerFixture.Patience);
        }

        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Encoding.ASCII.GetString(interim));
        await client.SendAsync("body");
        Assert.Equal("body", (await client.ReceiveAsync()).Body);
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_413_before_being_read()
    {
        await using ServerFixture fixture = new(Routes, new HttpServerOptions { Limits = new HttpLimits { MaxRequestBodyBytes = 100 } });
        using (ServerFixture.Client client = await fixture.ConnectAsync())
        {
            // Expect: 100-continue lets the client learn it without sending the body.
            await client.SendAsync("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\nExpect: 100-continue\r\n\r\n");
            (HttpClientResponse response, string body) = await client.ReceiveAsync();
            Assert.Equal(413, response.StatusCode);
            Assert.Equal("413 Content Too Large: request body too large\n", body);
            Assert.Equal("close", response.GetHeader("Connection"));
            Assert.True(await client.ServerClosedAsync());
        }

        using (ServerFixture.Client chunked = await fixture.ConnectAsync())
        {
            await chunked.SendAsync("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + new string('x', 100) + "\r\n1\r\nx\r\n0\r\n\r\n");
            Assert.Equal(413, (await chunked.ReceiveAsync()).Response.StatusCode);
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400, "Host header required in HTTP/1.1")]
    [InlineData("BREW / HTTP/1.1\r\nHost: h\r\n\r\n", 501, "method not implemented")]
    [InlineData("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, "HTTP version not supported")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n", 417, "only Expect: 100-continue is supported")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "invalid chunk size")]
    public async Task Bad_requests_get_a_reason_and_the_connection_closes(string request, int status, string reason)
    {
        await using ServerFixture fixture = new(Routes);
        using ServerFixture.Client client = await fixture.ConnectAsync();
        await client.SendAsync(request);
        (HttpClientResponse response, string body) = await client.ReceiveAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal($"{status} {HttpStatusText.Of(status)}: {reason}\n", body);
        Assert.Equal("text/plain; charset=utf-8", response.GetHeader("Content-Type"));
        Assert.True(await client.ServerClosedAsync());
        Assert.Equal(1, fixture.Server.Counters.RequestErrors);
    }

    [Fact]
    public async Task Oversized_heads_are_414_and_431()
    {
        await using ServerFixture fixture = new(Routes);
        using (ServerFixture.Client client = await fixture.ConnectAsync())
        {
            await client.SendAsync("GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(414, (await client.ReceiveAsync()).Response.StatusCode);
        }

        using (ServerFixture.Client client = await fixture.ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n" + string.Concat(Enumerable.Range(0, 101).Select(i => $"X-{i}: v\r\n")) + "\r\n");
            Assert.Equal(431, (await client.ReceiveAsync()).Response.StatusCode);
        }
    }

    [Fact]
    public async Task A_smuggling_attempt_is_refused_and_its_hidden_request_never_served()
    {
        int served = 0;
        await using ServerFixture fixture = new(app =>
        {
            Routes(app);
            app.MapGet("/admin", ctx =>
            {
                Interlocked.Increment(ref served);
                return ctx.WriteTextAsync(200, "secret");
            });
        });
        using ServerFixture.Client client = await fixture.ConnectAsync();
        const string Hidden = "GET /admin HTTP/1.1\r\nHost: h\r\n\r\n";
        await client.SendAsync($"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{Hidden}");
        string everything = await client.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", everything, StringComparison.Ordinal);
        Assert.Contains("both Content-Length and Transfer-Encoding", everything);
        Assert.DoesNotContain("secret", everything);
        Assert.Equal(0, served);
    }

    [Fact]
    public async Task Streamed_bodies_are_chunked_for_http11_and_close_delimited_for_http10()
    {
        await using ServerFixture fixture = new(Routes);
        using (ServerFixture.Client client = await fixture.ConnectAsync())
        {
            await client.SendAsync("GET /stream/40 HTTP/1.1\r\nHost: h\r\n\r\n");
            (HttpClientResponse response, string body) = await client.ReceiveAsync();
            Assert.True(response.IsChunked);
            Assert.Null(response.ContentLength);
            Assert.Equal(40_000, body.Length);
            Assert.Equal(new string('n', 1000), body.Substring(13_000, 1000));
        }

        using (ServerFixture.Client old = await fixture.ConnectAsync())
        {
            await old.SendAsync("GET /stream/40 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            string raw = await old.ReadToEndAsync();
            int split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            Assert.Contains("Connection: close", raw[..split]);
            Assert.DoesNotContain("Transfer-Encoding", raw[..split]);
            Assert.Equal(40_000, raw.Length - split - 4);
        }
    }

    [Fact]
    public async Task Http10_closes_unless_keep_alive_is_asked()
    {
        await using ServerFixture fixture = new(Routes);
        using (ServerFixture.Client client = await fixture.ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/1.0\r\n\r\n");
            (HttpClientResponse response, string body) = await client.ReceiveAsync();
            Assert.Equal("home\n", body);
            Assert.Equal("close", response.GetHeader("Connection"));
            Assert.True(await client.ServerClosedAsync());
        }

        using (ServerFixture.Client client = await fixture.ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("keep-alive", (await client.ReceiveAsync()).Response.GetHeader("Connection"));
            await client.SendAsync("GET /notes/2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("note 2 q=", (await client.ReceiveAsync()).Body);
        }
    }

    [Fact]
    public async Task A_handler_that_throws_is_500()
    {
        List<string> log = [];
        await using ServerFixture fixture = new(Routes, new HttpServerOptions { Log = line => { lock (log) { log.Add(line); } } });
        using ServerFixture.Client client = await fixture.ConnectAsync();
        await client.SendAsync("GET /fail HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(500, (await client.ReceiveAsync()).Response.StatusCode);
        Assert.Equal(1, fixture.Server.Counters.HandlerFailures);
        lock (log)
        {
            Assert.Contains(log, l => l.Contains("boom", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_slow_head_gets_408_and_an_idle_connection_is_closed()
    {
        await using ServerFixture fixture = new(Routes, new HttpServerOptions
        {
            HeaderTimeout = TimeSpan.FromMilliseconds(300),
            IdleTimeout = TimeSpan.FromMilliseconds(600),
            LingerTime = TimeSpan.FromMilliseconds(200),
        });
        using (ServerFixture.Client slow = await fixture.ConnectAsync())
        {
            await slow.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n");
            await Task.Delay(100);
            await slow.SendAsync("X-Slow: 1\r\n");
            string everything = await slow.ReadToEndAsync();
            Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", everything, StringComparison.Ordinal);
            Assert.Contains("Connection: close", everything);
        }

        using (ServerFixture.Client idle = await fixture.ConnectAsync())
        {
            await idle.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal("home\n", (await idle.ReceiveAsync()).Body);
            System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(string.Empty, await idle.ReadToEndAsync());
            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        }

        Assert.Equal(1, fixture.Server.Counters.HeaderTimeouts);
        Assert.Equal(1, fixture.Server.Counters.IdleTimeouts);
        await WaitUntil(() => fixture.Server.Counters.ConnectionsActive == 0);
    }

    [Fact]
    public async Task Connections_over_the_cap_are_refused_with_503()
    {
        await using ServerFixture fixture = new(Routes, new HttpServerOptions { MaxConnections = 2 });
        using ServerFixture.Client first = await fixture.ConnectAsync();
        using ServerFixture.Client second = await fixture.ConnectAsync();
        await first.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        await first.ReceiveAsync();
        await second.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        await second.ReceiveAsync();
        using ServerFixture.Client third = await fixture.ConnectAsync();
        string refusal = await third.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", refusal, StringComparison.Ordinal);
        Assert.EndsWith("too many connections, retry\n", refusal, StringComparison.Ordinal);
        Assert.Equal(1, fixture.Server.Counters.ConnectionsRefused);

        // Those admitted are still served.
        await first.SendAsync("GET /notes/1 HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal("note 1 q=", (await first.ReceiveAsync()).Body);
    }

    [Fact]
    public async Task A_handler_that_cancels_its_own_read_ends_the_connection()
    {
        await using ServerFixture fixture = new(app => app.MapPost("/wait", async ctx =>
        {
            using CancellationTokenSource patience = new(TimeSpan.FromMilliseconds(200));
            byte[] buffer = new byte[10];
            await ctx.Request.Body.ReadExactlyAsync(buffer, patience.Token);
            await ctx.WriteTextAsync(200, "unexpected");
        }));
        using ServerFixture.Client client = await fixture.ConnectAsync();
        await client.SendAsync("POST /wait HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n");
        Assert.True(await client.ServerClosedAsync());
        await WaitUntil(() => fixture.Server.Counters.ConnectionsActive == 0);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < ServerFixture.Patience, "condition not reached in time");
            await Task.Delay(20);
        }
    }
}
