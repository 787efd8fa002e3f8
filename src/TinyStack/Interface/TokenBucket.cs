using TinyStack.Time;

namespace TinyStack.Interface;

/// <summary>
/// A token bucket in virtual time: one token is earned every <c>interval</c>, at most
/// <c>burst</c> are kept, and each event spends one. It is refilled lazily from the time of the
/// request, so it needs no timer.
/// </summary>
internal sealed class TokenBucket
{
    private readonly Duration _interval;
    private readonly int _burst;
    private int _tokens;
    private Instant _lastRefill;
    private bool _started;

    public TokenBucket(Duration interval, int burst)
    {
        _interval = interval;
        _burst = burst;
        _tokens = burst;
    }

    /// <summary>Spends a token if one is available at <paramref name="now"/>.</summary>
    public bool TryTake(Instant now)
    {
        if (!_started)
        {
            _started = true;
            _lastRefill = now;
        }
        else if (now > _lastRefill)
        {
            long earned = (now - _lastRefill).Microseconds / _interval.Microseconds;
            if (earned > 0)
            {
                _tokens = (int)Math.Min(_burst, _tokens + earned);

                // Keep the fraction of an interval already accrued, unless the bucket is full.
                _lastRefill = _tokens == _burst ? now : _lastRefill + (_interval * earned);
            }
        }

        if (_tokens == 0)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
