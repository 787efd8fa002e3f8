using TinyStack.Time;

namespace TinyStack.Host;

/// <summary>
/// The host's source of <see cref="Instant"/>s. The core never reads a clock; the host reads this
/// one and passes the time in, so a test can substitute a clock it controls.
/// </summary>
public interface IMonotonicClock
{
    /// <summary>The current time. Never decreases.</summary>
    Instant Now { get; }
}
