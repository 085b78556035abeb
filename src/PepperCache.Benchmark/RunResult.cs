using HdrHistogram;

namespace PepperCache.Benchmark;

/// <summary>One test run against one target (one round).</summary>
internal sealed record RunResult(
    string Target,
    TestKind Test,
    int Round,
    long Requests,
    long Reads,
    long Hits,
    long Misses,
    long Errors,
    long Redirects,
    double Seconds,
    LongHistogram Latency)
{
    public double OpsPerSecond => Seconds > 0 ? Requests / Seconds : 0;
}

/// <summary>
/// A test against a target over all rounds: medians of ops/s and of each latency percentile, counts summed, and the
/// histogram of every round merged (for the plot).
/// </summary>
internal sealed record Summary(
    string Target,
    TestKind Test,
    int Rounds,
    double OpsPerSecond,
    double P50,
    double P90,
    double P99,
    double P999,
    double Max,
    long Requests,
    long Reads,
    long Hits,
    long Misses,
    long Errors,
    long Redirects,
    double? Ratio,
    IReadOnlyList<double> RoundOpsPerSecond,
    LongHistogram Latency)
{
    /// <summary>Hits over hits and misses (error replies are neither); null for a test without reads.</summary>
    public double? HitRatio => Hits + Misses > 0 ? (double)Hits / (Hits + Misses) : null;

    public static List<Summary> From(IReadOnlyList<RunResult> results, IReadOnlyList<Target> targets)
    {
        var summaries = new List<Summary>();
        foreach (var test in results.Select(r => r.Test).Distinct())
        {
            double? baseline = null;
            foreach (var target in targets)
            {
                var runs = results.Where(r => r.Test == test && r.Target == target.Name).ToList();
                if (runs.Count == 0)
                {
                    continue;
                }

                var merged = global::PepperCache.Benchmark.Latency.Create();
                foreach (var run in runs)
                {
                    merged.Add(run.Latency);
                }

                var ops = Median(runs.Select(r => r.OpsPerSecond));
                baseline ??= ops;
                summaries.Add(new Summary(
                    target.Name,
                    test,
                    runs.Count,
                    ops,
                    Median(runs.Select(r => global::PepperCache.Benchmark.Latency.PercentileMicros(r.Latency, 50))),
                    Median(runs.Select(r => global::PepperCache.Benchmark.Latency.PercentileMicros(r.Latency, 90))),
                    Median(runs.Select(r => global::PepperCache.Benchmark.Latency.PercentileMicros(r.Latency, 99))),
                    Median(runs.Select(r => global::PepperCache.Benchmark.Latency.PercentileMicros(r.Latency, 99.9))),
                    Median(runs.Select(r => global::PepperCache.Benchmark.Latency.MaxMicros(r.Latency))),
                    runs.Sum(r => r.Requests),
                    runs.Sum(r => r.Reads),
                    runs.Sum(r => r.Hits),
                    runs.Sum(r => r.Misses),
                    runs.Sum(r => r.Errors),
                    runs.Sum(r => r.Redirects),
                    targets.Count > 1 && baseline > 0 ? ops / baseline : null,
                    [.. runs.Select(r => r.OpsPerSecond)],
                    merged));
            }
        }

        return summaries;
    }

    /// <summary>The middle value; the mean of the two middle values for an even count.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
