using System.Text;
using CsCheck;
using TinyStack.Http;
using TinyStack.Http.Parsing;

namespace TinyStack.Tests.Http;

/// <summary>Hostile input never throws, and where a head ends does not depend on how it arrived.</summary>
public class ParserFuzzTests
{
    private static readonly string[] s_pieces =
    [
        "GET ", "POST ", "HEAD ", "/", "/a?b=c", " HTTP/1.1", " HTTP/1.0", "\r\n", "\n", "\r", "Host: h", "Content-Length: 5",
        "Transfer-Encoding: chunked", ": ", " ", "\t", "\0", "é", "X-A: b", "\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n",
    ];

    [Fact]
    public void Random_bytes_and_head_like_text_never_throw_and_parse_the_same_in_two_parts()
    {
        Gen<byte[]> random = Gen.Byte.Array[0, 300];
        Gen<byte[]> headLike = Gen.Int[0, s_pieces.Length - 1].Array[0, 30].Select(ix => Encoding.UTF8.GetBytes(string.Concat(ix.Select(i => s_pieces[i]))));
        Gen.Select(Gen.OneOf(random, headLike), Gen.Int[0, 300]).Sample((input, split) =>
        {
            HeadFeeder.Outcome whole = HeadFeeder.Feed(input, []);
            HeadFeeder.Outcome parts = HeadFeeder.Feed(input, [Math.Min(split, input.Length)]);
            Assert.Equal(whole.Status, parts.Status);
            // The reason may differ (a line can be refused before its end arrives); the answer may not.
            Assert.Equal(whole.Error.StatusCode, parts.Error.StatusCode);
            if (whole.Status == HttpParseStatus.Complete)
            {
                Assert.Equal(whole.Rest, parts.Rest);
            }
            if (whole.Status == HttpParseStatus.Complete)
            {
                _ = whole.Head.Validate();
            }

            ChunkedDecoder decoder = new(new HttpLimits());
            int offset = 0;
            while (offset < input.Length)
            {
                ChunkedStatus status = decoder.Decode(input.AsSpan(offset), 7, out int consumed, out _, out _);
                offset += consumed;
                if (status is ChunkedStatus.End or ChunkedStatus.Error || (status == ChunkedStatus.NeedMore && consumed == 0))
                {
                    break;
                }
            }
        }, iter: 3000);
    }
}
