using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace TinyStack.Http.Site;

/// <summary>
/// Visits per session for /session: the session is a random 128-bit id in an HttpOnly cookie
/// (script cannot read it), and the count lives on the server. Bounded: past
/// <see cref="MaxSessions"/> the oldest sessions are forgotten.
/// </summary>
public sealed class SessionCounter
{
    public const string CookieName = "tinystack_session";
    public const int MaxSessions = 10_000;

    private readonly ConcurrentDictionary<string, int> _visits = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public int Count => _visits.Count;

    /// <summary>Counts a visit; returns the session id (new when <paramref name="sessionId"/> is unknown) and its visit number.</summary>
    public (string SessionId, int Visits, bool IsNew) Visit(string? sessionId)
    {
        if (sessionId is not null && _visits.TryGetValue(sessionId, out _))
        {
            return (sessionId, _visits.AddOrUpdate(sessionId, 1, (_, n) => n + 1), false);
        }

        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _visits[id] = 1;
        _order.Enqueue(id);
        while (_visits.Count > MaxSessions && _order.TryDequeue(out string? oldest))
        {
            _visits.TryRemove(oldest, out _);
        }

        return (id, 1, true);
    }

    /// <summary>The value of one cookie in a Cookie header ("a=1; b=2"), or null.</summary>
    public static string? ReadCookie(string? header, string name)
    {
        if (header is null)
        {
            return null;
        }

        foreach (string part in header.Split(';'))
        {
            string pair = part.Trim();
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name))
            {
                return pair[(equals + 1)..];
            }
        }

        return null;
    }
}
