namespace PepperCache.Server.Resp;

/// <summary>
/// Figures INFO keeps between calls: the memory peak, the counters as they stood at CONFIG RESETSTAT, and the
/// error replies.
/// </summary>
internal sealed class ServerStatistics
{
    private readonly Lock _rateLock = new();
    private long _peakMemory;
    private long _sampledAt;
    private long _sampledCommands;
    private long _opsPerSecond;

    /// <summary>Counter values at the last CONFIG RESETSTAT; INFO stats reports the difference.</summary>
    public StatsSnapshot ResetPoint { get; set; }

    /// <summary>Error replies, in total and per code (INFO stats total_error_replies, INFO errorstats).</summary>
    public ErrorStatistics Errors { get; } = new();

    public long PeakMemory => Interlocked.Read(ref _peakMemory);

    /// <summary>Raises the peak to <paramref name="used"/> if higher; returns the peak.</summary>
    public long ObserveMemory(long used)
    {
        var peak = Interlocked.Read(ref _peakMemory);
        while (used > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakMemory, used, peak);
            if (seen == peak)
            {
                return used;
            }

            peak = seen;
        }

        return peak;
    }

    /// <summary>
    /// INFO's instantaneous_ops_per_sec: commands per second between this call and the previous sample, taken at
    /// least 100 ms apart so back-to-back INFO calls do not measure noise. A monitor polling INFO every second (as
    /// redis-cli --stat does) sees the rate over that second.
    /// </summary>
    public long ObserveCommands(long commands, long nowMs)
    {
        lock (_rateLock)
        {
            var elapsed = nowMs - _sampledAt;
            if (elapsed >= 100)
            {
                _opsPerSecond = _sampledAt == 0 ? 0 : Math.Max(0, (commands - _sampledCommands) * 1000 / elapsed);
                _sampledAt = nowMs;
                _sampledCommands = commands;
            }

            return _opsPerSecond;
        }
    }
}
