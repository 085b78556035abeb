using System.Diagnostics;
using HdrHistogram;

namespace PepperCache.Benchmark;

/// <summary>
/// Latency histograms: values are recorded in nanoseconds (3 significant digits, up to 100 s) and reported in
/// microseconds.
/// </summary>
internal static class Latency
{
    public const long HighestNanoseconds = 100_000_000_000;

    /// <summary>The percentiles every report shows.</summary>
    public static readonly double[] ReportedPercentiles = [50, 90, 99, 99.9];

    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public static LongHistogram Create() => new(HighestNanoseconds, 3);

    public static void Record(LongHistogram histogram, long ticks)
    {
        var nanoseconds = (long)(ticks * NanosecondsPerTick);
        histogram.RecordValue(Math.Clamp(nanoseconds, 1, HighestNanoseconds));
    }

    /// <summary>The latency at <paramref name="percentile"/> (0-100) in microseconds; 0 for an empty histogram.</summary>
    public static double PercentileMicros(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;

    public static double MaxMicros(HistogramBase histogram) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetMaxValue() / 1000.0;
}
