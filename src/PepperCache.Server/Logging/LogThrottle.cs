namespace PepperCache.Server.Logging;

/// <summary>
/// Lets a repeated event be logged at most once per period, counting the ones it held back, so a flood (clients
/// cut off by the hundred, an accept failing in a loop) costs a line every few seconds rather than one per event.
/// </summary>
internal sealed class LogThrottle(TimeSpan period)
{
    private readonly long _periodMs = (long)period.TotalMilliseconds;
    private long _next;
    private long _suppressed;

    /// <summary>True when this event may be logged; <paramref name="suppressed"/> is how many were held back since the last one.</summary>
    public bool TryEnter(out long suppressed)
    {
        var now = Environment.TickCount64;
        var next = Volatile.Read(ref _next);
        if (now >= next && Interlocked.CompareExchange(ref _next, now + _periodMs, next) == next)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }

        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}
