namespace TinyStack.Http;

/// <summary>
/// A route template such as "/notes/{id}" or "/files/{*path}": literal segments match exactly
/// (case-insensitive), {name} matches one non-empty segment, and a final {*name} matches the rest
/// of the path (possibly empty).
/// </summary>
public sealed class RoutePattern
{
    private readonly Segment[] _segments;

    public RoutePattern(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.StartsWith('/'))
        {
            throw new ArgumentException($"Route '{template}' must start with '/'.", nameof(template));
        }

        Template = template;
        string[] parts = template.Length == 1 ? [] : template[1..].Split('/');
        _segments = new Segment[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (part.StartsWith("{*", StringComparison.Ordinal) && part.EndsWith('}'))
            {
                if (i != parts.Length - 1)
                {
                    throw new ArgumentException($"Route '{template}': a catch-all {part} must be the last segment.", nameof(template));
                }

                _segments[i] = new Segment(SegmentKind.CatchAll, part[2..^1]);
            }
            else if (part.StartsWith('{') && part.EndsWith('}'))
            {
                _segments[i] = new Segment(SegmentKind.Parameter, part[1..^1]);
            }
            else
            {
                _segments[i] = new Segment(SegmentKind.Literal, part);
            }
        }
    }

    private enum SegmentKind : byte
    {
        Literal,
        Parameter,
        CatchAll,
    }

    public string Template { get; }

    /// <summary>Matches <paramref name="path"/>; adds the parameters to <paramref name="values"/> when it does (and only then).</summary>
    public bool TryMatch(string path, List<KeyValuePair<string, string>>? values)
    {
        ReadOnlySpan<char> rest = path.StartsWith('/') ? path.AsSpan(1) : path.AsSpan();

        // "/" has no segments; "/a/" has two, the second empty.
        bool atEnd = rest.IsEmpty;
        int added = 0;
        bool matched = true;
        foreach (Segment segment in _segments)
        {
            if (segment.Kind == SegmentKind.CatchAll)
            {
                values?.Add(new(segment.Text, rest.ToString()));
                return true;
            }

            if (atEnd)
            {
                matched = false;
                break;
            }

            int slash = rest.IndexOf('/');
            ReadOnlySpan<char> text = slash < 0 ? rest : rest[..slash];
            if (segment.Kind == SegmentKind.Literal)
            {
                if (!text.Equals(segment.Text, StringComparison.OrdinalIgnoreCase))
                {
                    matched = false;
                    break;
                }
            }
            else if (text.IsEmpty)
            {
                matched = false;
                break;
            }
            else if (values is not null)
            {
                values.Add(new(segment.Text, text.ToString()));
                added++;
            }

            atEnd = slash < 0;
            rest = slash < 0 ? default : rest[(slash + 1)..];
        }

        matched &= atEnd;
        if (!matched && added > 0)
        {
            values!.RemoveRange(values.Count - added, added);
        }

        return matched;
    }

    public override string ToString() => Template;

    private readonly record struct Segment(SegmentKind Kind, string Text);
}
