namespace TinyStack.Tcp.Congestion;

/// <summary>
/// The algorithms by name, for settings and the command line (Linux's tcp_congestion_control
/// names): <c>cubic</c> (the default) and <c>newreno</c> (also accepted as <c>reno</c>).
/// </summary>
public static class CongestionControlAlgorithms
{
    /// <summary>CUBIC with HyStart++ and fast convergence (RFC 9438, RFC 9406).</summary>
    public static readonly Func<int, ICongestionControl> Cubic = static mss => new Cubic(mss);

    /// <summary>NewReno (RFC 5681, RFC 6582, RFC 3465).</summary>
    public static readonly Func<int, ICongestionControl> NewReno = static mss => new NewReno(mss);

    /// <summary>The names <see cref="TryGet"/> accepts, default first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cubic", "newreno"];

    /// <summary>Finds the factory for <paramref name="name"/> (case-insensitive).</summary>
    public static bool TryGet(string name, out Func<int, ICongestionControl> factory)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "cubic":
                factory = Cubic;
                return true;
            case "newreno":
            case "reno":
                factory = NewReno;
                return true;
            default:
                factory = Cubic;
                return false;
        }
    }

    /// <summary>Largest initial window <see cref="Get(string, int)"/> takes, in segments (Linux caps initcwnd alike).</summary>
    public const int MaxInitialWindowSegments = 1000;

    /// <summary>
    /// The factory for <paramref name="name"/> with an initial window of
    /// <paramref name="initialWindowSegments"/> segments instead of RFC 6928's 10 (as Linux's
    /// <c>ip route ... initcwnd N</c>); throws naming the choices when the name is unknown.
    /// </summary>
    public static Func<int, ICongestionControl> Get(string name, int initialWindowSegments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialWindowSegments, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialWindowSegments, MaxInitialWindowSegments);
        Func<int, ICongestionControl> factory = Get(name);
        if (initialWindowSegments == Congestion.NewReno.DefaultInitialWindowSegments)
        {
            return factory;
        }

        return factory == NewReno
            ? mss => new NewReno(mss, initialWindowSegments)
            : mss => new Cubic(mss, initialWindowSegments);
    }

    /// <summary>The factory for <paramref name="name"/>; throws naming the choices when it is unknown.</summary>
    public static Func<int, ICongestionControl> Get(string name) => TryGet(name, out Func<int, ICongestionControl> factory)
        ? factory
        : throw new ArgumentException($"Unknown congestion control '{name}'; use one of: {string.Join(", ", Names)}.", nameof(name));
}
