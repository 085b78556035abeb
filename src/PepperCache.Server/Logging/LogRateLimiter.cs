namespace PepperCache.Server.Logging;

/// <summary>
/// Lets at most <c>limit</c> messages of one kind through per <c>interval</c>; the rest are counted, and when the
/// interval ends one line says how many were left out ("Suppressed 990 more connection failure messages in the last
/// 60 seconds"). For warnings that a client or a peer can cause at will, so a flood of them cannot fill the disk.
/// </summary>
/// <remarks>
/// An interval begins with the first message after the previous one ended. The summary comes from a timer set when
/// the first message of an interval is suppressed, so it is written even if no message follows; nothing is left
/// scheduled when nothing was suppressed. Time comes from a <see cref="TimeProvider"/> (tests step it).
/// </remarks>
internal sealed class LogRateLimiter(ILogger logger, string what, int limit, TimeSpan interval, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _started;
    private int _passed;
    private long _suppressed;
    private ITimer? _summary;

    /// <summary>Whether to log this one; false when it is counted as suppressed instead.</summary>
    public bool ShouldLog()
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (_summary is null && (_passed == 0 || time.GetElapsedTime(_started, now) >= interval))
            {
                _started = now;
                _passed = 0;
            }

            if (_passed < limit)
            {
                _passed++;
                return true;
            }

            if (_suppressed++ == 0)
            {
                var left = interval - time.GetElapsedTime(_started, now);
                _summary = time.CreateTimer(static state => ((LogRateLimiter)state!).EndInterval(), this,
                    left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }

            return false;
        }
    }

    private void EndInterval()
    {
        long suppressed;
        lock (_gate)
        {
            suppressed = _suppressed;
            _suppressed = 0;
            _passed = 0;
            _summary?.Dispose();
            _summary = null;
        }

        if (suppressed > 0)
        {
            Log.Suppressed(logger, suppressed, what, interval.TotalSeconds);
        }
    }
}
