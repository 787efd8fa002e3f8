using System.Text;
using TinyStack.Http;
using TinyStack.Http.Parsing;

namespace TinyStack.Tests.Http;

public class HttpRequestParserTests
{
    private const string Get = "GET /notes/42?x=1 HTTP/1.1\r\nHost: 10.0.0.2\r\nUser-Agent: curl/8.0\r\nAccept:*/*\r\nX-Padded:   spaced value \t\r\n\r\n";

    [Fact]
    public void A_higher_minor_version_of_http_1_is_served_as_1_1()
    {
        // RFC 9110 §2.5: process it as the highest minor version we conform to.
        foreach ((string how, HeadFeeder.Outcome outcome) in HeadFeeder.EverySegmentation("GET / HTTP/1.2\r\nHost: a\r\n\r\n"))
        {
            Assert.True(outcome.Status == HttpParseStatus.Complete, how);
            Assert.Equal(HttpProtocol.Http11, outcome.Head.Protocol);
        }
    }

    [Fact]
    public void Request_head_parses_the_same_whatever_the_segmentation()
    {
        foreach ((string how, HeadFeeder.Outcome outcome) in HeadFeeder.EverySegmentation(Get + "BODY"))
        {
            Assert.True(outcome.Status == HttpParseStatus.Complete, how);
            HttpRequestHead head = outcome.Head;
            Assert.Equal(RequestMethod.Get, head.Method);
            Assert.Equal(HttpProtocol.Http11, head.Protocol);
            Assert.Equal("/notes/42?x=1", Encoding.ASCII.GetString(head.Target));
            Assert.Equal(4, head.FieldCount);
            Assert.Equal("10.0.0.2", HeadFeeder.Field(head, "host"));
            Assert.Equal("*/*", HeadFeeder.Field(head, "ACCEPT"));
            Assert.Equal("spaced value", HeadFeeder.Field(head, "X-Padded"));

            // Consumption stops exactly where the body (here, the next bytes) begins.
            Assert.Equal("BODY", Encoding.ASCII.GetString(outcome.Rest));
        }
    }

    [Fact]
    public void Every_strict_prefix_of_a_valid_head_is_incomplete_never_an_error()
    {
        byte[] input = Encoding.ASCII.GetBytes(Get);
        for (int length = 0; length < input.Length; length++)
        {
            HeadFeeder.Outcome outcome = HeadFeeder.Feed(input[..length], []);
            Assert.True(outcome.Status == HttpParseStatus.Incomplete, $"prefix of {length} bytes gave {outcome.Status} {outcome.Error}");
        }
    }

    [Theory]
    [InlineData("HEAD", RequestMethod.Head)]
    [InlineData("POST", RequestMethod.Post)]
    [InlineData("PUT", RequestMethod.Put)]
    [InlineData("PATCH", RequestMethod.Patch)]
    [InlineData("DELETE", RequestMethod.Delete)]
    [InlineData("OPTIONS", RequestMethod.Options)]
    public void Each_supported_method_is_recognised(string method, RequestMethod expected)
    {
        HeadFeeder.Outcome outcome = HeadFeeder.Feed(Encoding.ASCII.GetBytes($"{method} /x HTTP/1.1\r\nHost: h\r\n\r\n"), []);
        Assert.Equal(HttpParseStatus.Complete, outcome.Status);
        Assert.Equal(expected, outcome.Head.Method);
    }

    [Fact]
    public void Http10_without_host_and_empty_lines_before_the_request_are_accepted()
    {
        foreach ((string how, HeadFeeder.Outcome outcome) in HeadFeeder.EverySegmentation("\r\n\r\nGET / HTTP/1.0\r\n\r\n"))
        {
            Assert.True(outcome.Status == HttpParseStatus.Complete, how);
            Assert.Equal(HttpProtocol.Http10, outcome.Head.Protocol);
            Assert.False(outcome.Head.Validate().IsError);
        }
    }

    [Fact]
    public void Asterisk_and_absolute_form_targets()
    {
        Assert.Equal(HttpParseStatus.Complete, HeadFeeder.Feed("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"u8.ToArray(), []).Status);
        Assert.Equal(400, HeadFeeder.Feed("GET * HTTP/1.1\r\nHost: h\r\n\r\n"u8.ToArray(), []).Error.StatusCode);
        HeadFeeder.Outcome absolute = HeadFeeder.Feed("GET http://10.0.0.2:80/a/b?q HTTP/1.1\r\nHost: h\r\n\r\n"u8.ToArray(), []);
        Assert.Equal(HttpParseStatus.Complete, absolute.Status);
        Assert.True(HttpTarget.TryGetAbsoluteFormPath(absolute.Head.Target, out ReadOnlySpan<byte> path));
        Assert.Equal("/a/b?q", Encoding.ASCII.GetString(path));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\n\n", 400)] // bare LF
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n", 400)] // bare LF in a header line
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", 400)] // bare CR inside a value
    [InlineData("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501)]
    [InlineData("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501)] // methods are case-sensitive
    [InlineData("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 501)]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET foo HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /\u0001 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400)] // whitespace before the colon (RFC 9112 §5.1)
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400)] // obs-fold
    [InlineData("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nX-A: a\u0000b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nX-(A): a\r\n\r\n", 400)]
    public void Malformed_heads_are_rejected_whatever_the_segmentation(string request, int status)
    {
        foreach ((string how, HeadFeeder.Outcome outcome) in HeadFeeder.EverySegmentation(request))
        {
            Assert.True(outcome.Status == HttpParseStatus.Error, $"{how}: {outcome.Status}");
            Assert.True(status == outcome.Error.StatusCode, $"{how}: {outcome.Error}");
        }
    }

    [Fact]
    public void A_request_line_over_the_limit_is_414_before_its_end_arrives()
    {
        HttpLimits limits = new() { MaxRequestLineBytes = 64 };
        string longTarget = "GET /" + new string('a', 200);
        foreach ((string how, HeadFeeder.Outcome outcome) in HeadFeeder.EverySegmentation(longTarget, limits))
        {
            Assert.True(outcome.Error.StatusCode == 414, $"{how}: {outcome.Status} {outcome.Error}");
        }

        // Exactly at the limit (CRLF included) is fine.
        string fits = "GET /" + new string('a', 64 - "GET / HTTP/1.1\r\n".Length) + " HTTP/1.1\r\nHost: h\r\n\r\n";
        Assert.Equal(HttpParseStatus.Complete, HeadFeeder.Feed(Encoding.ASCII.GetBytes(fits), [], limits).Status);
    }

    [Fact]
    public void The_default_request_line_limit_is_8_KiB()
    {
        string target = "/" + new string('x', 8 * 1024);
        HeadFeeder.Outcome outcome = HeadFeeder.Feed(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n"), []);
        Assert.Equal(414, outcome.Error.StatusCode);
    }

    [Fact]
    public void More_than_100_fields_is_431()
    {
        StringBuilder request = new("GET / HTTP/1.1\r\nHost: h\r\n");
        for (int i = 0; i < 99; i++)
        {
            request.Append("X-").Append(i).Append(": v\r\n");
        }

        Assert.Equal(HttpParseStatus.Complete, HeadFeeder.Feed(Encoding.ASCII.GetBytes(request + "\r\n"), []).Status);
        request.Append("X-Last: v\r\n\r\n");
        foreach ((string how, HeadFeeder.Outcome outcome) in HeadFeeder.EverySegmentation(request.ToString()).Where((_, i) => i % 97 == 0))
        {
            Assert.True(outcome.Error.StatusCode == 431, $"{how}: {outcome.Error}");
        }
    }

    [Fact]
    public void A_header_block_over_64_KiB_is_431_without_waiting_for_its_end()
    {
        string request = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + new string('v', 70 * 1024);
        HeadFeeder.Outcome outcome = HeadFeeder.Feed(Encoding.ASCII.GetBytes(request), []);
        Assert.Equal(HttpParseStatus.Error, outcome.Status);
        Assert.Equal(431, outcome.Error.StatusCode);

        HttpLimits small = new() { MaxHeaderBytes = 40 };
        foreach ((string how, HeadFeeder.Outcome o) in HeadFeeder.EverySegmentation("GET / HTTP/1.1\r\nHost: h\r\nX-A: 0123456789\r\nX-B: 0123456789\r\n\r\n", small))
        {
            Assert.True(o.Error.StatusCode == 431, $"{how}: {o.Error}");
        }
    }

    [Fact]
    public void Parsing_a_request_allocates_nothing()
    {
        byte[] input = Encoding.ASCII.GetBytes(Get);
        HttpRequestParser parser = new();
        HttpRequestHead head = new();
        for (int warm = 0; warm < 3; warm++)
        {
            ParseOnce(parser, head, input);
        }

        long allocated = ThreadAllocations.Fewest(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                ParseOnce(parser, head, input);
            }
        });

        Assert.Equal(0, allocated);

        static void ParseOnce(HttpRequestParser parser, HttpRequestHead head, byte[] input)
        {
            parser.Reset();
            head.Reset();
            HttpRequestHeadHandler handler = new(head);
            if (parser.Parse(input, ref handler, out _) != HttpParseStatus.Complete || head.Validate().IsError)
            {
                throw new InvalidOperationException("parse failed");
            }
        }
    }
}
