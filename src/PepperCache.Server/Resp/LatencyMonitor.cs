namespace PepperCache.Server.Resp;

/// <summary>One second's worst latency of an event (LATENCY HISTORY).</summary>
internal readonly record struct LatencySample(long UnixSeconds, long Milliseconds);

/// <summary>
/// Redis's latency monitor, the part PepperCache can state: the events <c>command</c> and <c>fast-command</c>
/// (commands flagged fast), sampled when a command takes at least <c>latency-monitor-threshold</c> ms (0 = off). Per
/// event the newest 160 samples, one per second (the worst of that second), and the worst ever. Only slow commands
/// get here, so a lock is fine.
/// </summary>
internal sealed class LatencyMonitor
{
    /// <summary>Redis's LATENCY_TS_LEN.</summary>
    public const int MaxSamples = 160;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, EventSeries> _events = new(StringComparer.Ordinal);

    public void Add(string eventName, long milliseconds, long nowMs)
    {
        var second = nowMs / 1000;
        lock (_lock)
        {
            if (!_events.TryGetValue(eventName, out var series))
            {
                _events[eventName] = series = new EventSeries();
            }

            series.Max = Math.Max(series.Max, milliseconds);
            if (series.Samples.Count > 0 && series.Samples[^1].UnixSeconds == second)
            {
                series.Samples[^1] = new LatencySample(second, Math.Max(series.Samples[^1].Milliseconds, milliseconds));
                return;
            }

            series.Samples.Add(new LatencySample(second, milliseconds));
            if (series.Samples.Count > MaxSamples)
            {
                series.Samples.RemoveAt(0);
            }
        }
    }

    /// <summary>LATENCY LATEST: per event its newest sample and its worst.</summary>
    public List<(string Event, LatencySample Latest, long Max)> Latest()
    {
        lock (_lock)
        {
            return [.. _events.Where(e => e.Value.Samples.Count > 0).Select(e => (e.Key, e.Value.Samples[^1], e.Value.Max))];
        }
    }

    /// <summary>LATENCY HISTORY: the samples of one event, oldest first; empty when it has none.</summary>
    public List<LatencySample> History(string eventName)
    {
        lock (_lock)
        {
            return _events.TryGetValue(eventName, out var series) ? [.. series.Samples] : [];
        }
    }

    /// <summary>LATENCY RESET: forgets the named events (all when none are named); returns how many had samples.</summary>
    public int Reset(IReadOnlyCollection<string> eventNames)
    {
        lock (_lock)
        {
            var names = eventNames.Count == 0 ? [.. _events.Keys] : eventNames.Where(_events.ContainsKey).Distinct().ToList();
            foreach (var name in names)
            {
                _events.Remove(name);
            }

            return names.Count;
        }
    }

    private sealed class EventSeries
    {
        public List<LatencySample> Samples { get; } = [];

        public long Max { get; set; }
    }
}
