using System.Diagnostics;

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
    private StatsSnapshot _sampled;
    private InstantaneousRates _rates;

    /// <summary>Counter values at the last CONFIG RESETSTAT; INFO stats reports the difference.</summary>
    public StatsSnapshot ResetPoint { get; set; }

    /// <summary>Error replies, in total and per code (INFO stats total_error_replies, INFO errorstats).</summary>
    public ErrorStatistics Errors { get; } = new();

    /// <summary>Per-command calls, time, rejections, failures and latency histograms (INFO commandstats/latencystats).</summary>
    public CommandStatistics Commands { get; } = new();

    public SlowLog SlowLog { get; } = new();

    public LatencyMonitor Latency { get; } = new();

    private long _slowLogSlowerThan = 10_000;
    private long _latencyMonitorThreshold;

    /// <summary>
    /// The one figure the hot path compares a command's duration with: the smaller of the slow log's and the latency
    /// monitor's thresholds in <see cref="Stopwatch"/> ticks (long.MaxValue when both are off). A command at least
    /// this slow goes to <see cref="CommandDispatcher"/>'s slow path, which checks each.
    /// </summary>
    public long SlowPathTicks { get; private set; } = MicrosecondsToTicks(10_000);

    /// <summary>slowlog-log-slower-than, in microseconds: -1 logs nothing, 0 every command.</summary>
    public long SlowLogSlowerThan
    {
        get => Volatile.Read(ref _slowLogSlowerThan);
        set
        {
            Volatile.Write(ref _slowLogSlowerThan, value);
            UpdateSlowPath();
        }
    }

    /// <summary>latency-monitor-threshold, in milliseconds: 0 samples nothing.</summary>
    public long LatencyMonitorThreshold
    {
        get => Volatile.Read(ref _latencyMonitorThreshold);
        set
        {
            Volatile.Write(ref _latencyMonitorThreshold, value);
            UpdateSlowPath();
        }
    }

    public static long MicrosecondsToTicks(long microseconds) =>
        microseconds >= long.MaxValue / Stopwatch.Frequency ? long.MaxValue : microseconds * Stopwatch.Frequency / 1_000_000;

    private void UpdateSlowPath()
    {
        var slowLog = SlowLogSlowerThan < 0 ? long.MaxValue : MicrosecondsToTicks(SlowLogSlowerThan);
        var latency = LatencyMonitorThreshold <= 0 ? long.MaxValue : MicrosecondsToTicks(Math.Min(LatencyMonitorThreshold, long.MaxValue / 1000) * 1000);
        SlowPathTicks = Math.Min(slowLog, latency);
    }

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
    /// INFO's instantaneous_ops_per_sec, instantaneous_input_kbps and instantaneous_output_kbps: commands per second
    /// and KB (1,024 bytes) per second received and sent between this call and the previous sample, taken at least
    /// 100 ms apart so back-to-back INFO calls do not measure noise. A monitor polling INFO every second (as
    /// redis-cli --stat does) sees the rates over that second. Fed the raw counters, so CONFIG RESETSTAT leaves them be.
    /// </summary>
    public InstantaneousRates ObserveRates(StatsSnapshot counters, long nowMs)
    {
        lock (_rateLock)
        {
            var elapsed = nowMs - _sampledAt;
            if (elapsed >= 100)
            {
                _rates = _sampledAt == 0
                    ? default
                    : new InstantaneousRates(
                        Math.Max(0, (counters.Commands - _sampled.Commands) * 1000 / elapsed),
                        Math.Max(0, (counters.NetInputBytes - _sampled.NetInputBytes) * 1000.0 / elapsed / 1024),
                        Math.Max(0, (counters.NetOutputBytes - _sampled.NetOutputBytes) * 1000.0 / elapsed / 1024));
                _sampledAt = nowMs;
                _sampled = counters;
            }

            return _rates;
        }
    }
}
