using System.Text;
using TinyStack.Http;
using TinyStack.Http.Parsing;

namespace TinyStack.Tests.Http;

/// <summary>
/// What the whole head says about framing and the connection (RFC 9112 §6, §9), including the
/// request-smuggling cases: every ambiguous length is refused rather than guessed.
/// </summary>
public class RequestFramingTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400, "Host header required in HTTP/1.1")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host header")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400, "duplicate Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "duplicate Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400, "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both Content-Length and Transfer-Encoding")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, "both Content-Length and Transfer-Encoding")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "chunked is not the final transfer coding")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "chunked is not the final transfer coding")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "chunked is not the final transfer coding")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 400, "chunked is not the final transfer coding")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "transfer coding not implemented")]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "Transfer-Encoding in an HTTP/1.0 request")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 417, "only Expect: 100-continue is supported")]
    public void Ambiguous_or_unsupported_framing_is_refused(string request, int status, string reason)
    {
        HeadFeeder.Outcome outcome = HeadFeeder.Feed(Encoding.ASCII.GetBytes(request), []);
        Assert.Equal(HttpParseStatus.Complete, outcome.Status);
        Assert.Equal(new RequestError(status, reason), outcome.Head.Validate());
    }

    [Fact]
    public void Framing_and_connection_fields_are_understood()
    {
        HttpRequestHead head = HeadFeeder.Feed(
            "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nConnection: Keep-Alive, close\r\nExpect: 100-Continue\r\n\r\n"u8.ToArray(), []).Head;
        Assert.False(head.Validate().IsError);
        Assert.True(head.IsChunked);
        Assert.True(head.HasBody);
        Assert.Equal(-1, head.ContentLength);
        Assert.True(head.ConnectionClose);
        Assert.True(head.ConnectionKeepAlive);
        Assert.True(head.ExpectContinue);

        HttpRequestHead length = HeadFeeder.Feed("PUT /u HTTP/1.0\r\nContent-Length: 0012\r\n\r\n"u8.ToArray(), []).Head;
        Assert.False(length.Validate().IsError);
        Assert.Equal(12, length.ContentLength);
        Assert.False(length.IsChunked);
        Assert.False(length.ConnectionKeepAlive);
    }

    [Fact]
    public void Reset_forgets_the_previous_request()
    {
        HttpRequestHead head = HeadFeeder.Feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"u8.ToArray(), []).Head;
        head.Reset();
        Assert.Equal(0, head.FieldCount);
        Assert.Equal(-1, head.ContentLength);
        Assert.False(head.ConnectionClose);
        Assert.False(head.HasBody);
    }
}
