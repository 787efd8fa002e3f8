using System.Text;
using TinyStack.Http;
using TinyStack.Http.Parsing;

namespace TinyStack.Tests.Http;

public class ChunkedDecoderTests
{
    private const string Body = "5\r\nhello\r\n6;name=value;flag\r\n world\r\n1A \r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Checksum: 42\r\nX-Other: y\r\n\r\n";

    [Fact]
    public void Decodes_the_same_whatever_the_segmentation_and_read_size()
    {
        byte[] input = Encoding.ASCII.GetBytes(Body + "NEXT");
        foreach (int maxData in new[] { 1, 3, 1000 })
        {
            Check(input, [], maxData, "whole");
            for (int split = 1; split < input.Length; split++)
            {
                Check(input, [split], maxData, $"split at {split}");
            }

            Check(input, Enumerable.Range(1, input.Length), maxData, "one byte per segment");
        }

        static void Check(byte[] input, IEnumerable<int> ends, int maxData, string how)
        {
            (ChunkedStatus status, string data, string rest, ChunkedDecoder decoder) = Decode(input, ends, maxData);
            Assert.True(status == ChunkedStatus.End, $"{how}, reads of {maxData}: {status} {decoder.Error}");
            Assert.Equal("hello worldabcdefghijklmnopqrstuvwxyz", data);
            Assert.Equal(2, decoder.TrailerCount);
            Assert.Equal("NEXT", rest);
        }
    }

    [Theory]
    [InlineData("g\r\n", "invalid chunk size")]
    [InlineData("\r\n", "invalid chunk size")]
    [InlineData("-5\r\nhello\r\n", "invalid chunk size")]
    [InlineData("5 junk\r\nhello\r\n", "invalid chunk size")]
    [InlineData("1000000000000000\r\n", "invalid chunk size")] // 16 hex digits: would overflow
    [InlineData("5\nhello\r\n", "chunk size line not ended by CRLF")]
    [InlineData("5\r\nhelloXY0\r\n\r\n", "chunk data not followed by CRLF")]
    [InlineData("5\r\nhello\r\n0\r\nBad Trailer\r\n\r\n", "header line without a name and colon")]
    [InlineData("5\r\nhello\r\n0\r\nX: a\nb\r\n\r\n", "trailer line not ended by CRLF")]
    public void Malformed_chunked_bodies_are_400(string body, string reason)
    {
        byte[] input = Encoding.ASCII.GetBytes(body);
        foreach (IEnumerable<int> ends in new[] { Array.Empty<int>(), Enumerable.Range(1, input.Length) })
        {
            (ChunkedStatus status, _, _, ChunkedDecoder decoder) = Decode(input, ends, 1000);
            Assert.Equal(ChunkedStatus.Error, status);
            Assert.Equal(new RequestError(400, reason), decoder.Error);
        }
    }

    [Fact]
    public void A_chunk_line_over_its_limit_is_refused_before_it_ends()
    {
        ChunkedDecoder decoder = new(new HttpLimits { MaxChunkLineBytes = 16 });
        byte[] line = Encoding.ASCII.GetBytes("5;" + new string('e', 40));
        Assert.Equal(ChunkedStatus.Error, decoder.Decode(line, 100, out _, out _, out _));
        Assert.Equal("chunk size line too long", decoder.Error.Reason);
    }

    private static (ChunkedStatus Status, string Data, string Remaining, ChunkedDecoder Decoder) Decode(byte[] input, IEnumerable<int> ends, int maxData)
    {
        ChunkedDecoder decoder = new();
        List<byte> pending = [];
        StringBuilder data = new();
        int fed = 0;
        foreach (int end in ends.Append(input.Length))
        {
            if (end <= fed)
            {
                continue;
            }

            pending.AddRange(input[fed..end]);
            fed = end;
            while (true)
            {
                byte[] buffer = [.. pending];
                ChunkedStatus status = decoder.Decode(buffer, maxData, out int consumed, out int offset, out int length);
                if (status == ChunkedStatus.Data)
                {
                    Assert.InRange(length, 1, maxData);
                    data.Append(Encoding.ASCII.GetString(buffer, offset, length));
                }

                pending.RemoveRange(0, consumed);
                if (status is ChunkedStatus.End or ChunkedStatus.Error)
                {
                    return (status, data.ToString(), Encoding.ASCII.GetString([.. pending, .. input[fed..]]), decoder);
                }

                if (status == ChunkedStatus.NeedMore)
                {
                    break;
                }
            }
        }

        return (ChunkedStatus.NeedMore, data.ToString(), string.Empty, decoder);
    }
}
