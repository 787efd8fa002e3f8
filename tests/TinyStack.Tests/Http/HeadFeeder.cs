using System.Text;
using TinyStack.Http;
using TinyStack.Http.Parsing;

namespace TinyStack.Tests.Http;

/// <summary>
/// Feeds a request head to <see cref="HttpRequestParser"/> the way a connection does: segments
/// arrive one after another, consumed bytes are discarded, the rest waits for more.
/// </summary>
internal static class HeadFeeder
{
    public sealed record Outcome(HttpParseStatus Status, RequestError Error, HttpRequestHead Head, byte[] Rest);

    public static Outcome Feed(byte[] input, IEnumerable<int> segmentEnds, HttpLimits? limits = null)
    {
        HttpRequestParser parser = new(limits);
        HttpRequestHead head = new();
        List<byte> pending = [];
        int fed = 0;
        HttpParseStatus status = HttpParseStatus.Incomplete;
        foreach (int end in segmentEnds.Append(input.Length))
        {
            if (end <= fed)
            {
                continue;
            }

            pending.AddRange(input[fed..end]);
            fed = end;
            HttpRequestHeadHandler handler = new(head);
            status = parser.Parse(pending.ToArray(), ref handler, out int consumed);
            Assert.InRange(consumed, 0, pending.Count);
            pending.RemoveRange(0, consumed);
            if (status != HttpParseStatus.Incomplete)
            {
                break;
            }
        }

        return new Outcome(status, parser.Error, head, [.. pending, .. input[fed..]]);
    }

    /// <summary>Whole; split at every position; and one byte per segment.</summary>
    public static IEnumerable<(string How, Outcome Outcome)> EverySegmentation(string text, HttpLimits? limits = null)
    {
        byte[] input = Encoding.Latin1.GetBytes(text);
        yield return ("whole", Feed(input, [], limits));
        for (int split = 1; split < input.Length; split++)
        {
            yield return ($"split at {split}", Feed(input, [split], limits));
        }

        yield return ("one byte per segment", Feed(input, Enumerable.Range(1, input.Length), limits));
    }

    public static string Field(HttpRequestHead head, string name) =>
        head.TryGetField(name, out ReadOnlySpan<byte> value) ? Encoding.Latin1.GetString(value) : "<absent>";
}
