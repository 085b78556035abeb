using PepperCache.Benchmark;

namespace PepperCache.Benchmark.Tests;

public sealed class StatisticsTests
{
    [Fact]
    public void Percentiles_of_one_to_ten_thousand_microseconds_are_where_they_should_be()
    {
        var histogram = Latency.Create();
        for (long micros = 1; micros <= 10_000; micros++)
        {
            histogram.RecordValue(micros * 1000);
        }

        // Three significant digits: each figure within 0.1% of the exact order statistic.
        Assert.Equal(5_000, Latency.PercentileMicros(histogram, 50), tolerance: 5_000 * 0.001);
        Assert.Equal(9_000, Latency.PercentileMicros(histogram, 90), tolerance: 9_000 * 0.001);
        Assert.Equal(9_900, Latency.PercentileMicros(histogram, 99), tolerance: 9_900 * 0.001);
        Assert.Equal(9_990, Latency.PercentileMicros(histogram, 99.9), tolerance: 9_990 * 0.001);
        Assert.Equal(10_000, Latency.MaxMicros(histogram), tolerance: 10_000 * 0.001);
    }

    [Fact]
    public void A_skewed_sample_puts_the_tail_in_the_high_percentiles()
    {
        var histogram = Latency.Create();
        histogram.RecordValueWithCount(100_000, 990);   // 990 requests at 100 µs
        histogram.RecordValueWithCount(50_000_000, 10); // 10 at 50 ms

        Assert.Equal(100, Latency.PercentileMicros(histogram, 50), tolerance: 0.1);
        Assert.Equal(100, Latency.PercentileMicros(histogram, 99), tolerance: 0.1);
        Assert.Equal(50_000, Latency.PercentileMicros(histogram, 99.9), tolerance: 50);
        Assert.Equal(50_000, Latency.MaxMicros(histogram), tolerance: 50);
    }

    [Fact]
    public void Ticks_are_recorded_as_nanoseconds_and_clamped_to_the_range()
    {
        var histogram = Latency.Create();
        Latency.Record(histogram, System.Diagnostics.Stopwatch.Frequency / 1000); // 1 ms
        Latency.Record(histogram, 0);
        Latency.Record(histogram, long.MaxValue / 2);

        Assert.Equal(3, histogram.TotalCount);
        Assert.Equal(1_000, Latency.PercentileMicros(histogram, 50), tolerance: 1);
        Assert.Equal(Latency.HighestNanoseconds / 1000.0, Latency.MaxMicros(histogram), tolerance: Latency.HighestNanoseconds / 1000.0 * 0.001);
    }

    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        var histogram = Latency.Create();

        Assert.Equal(0, Latency.PercentileMicros(histogram, 99));
        Assert.Equal(0, Latency.MaxMicros(histogram));
    }

    [Theory]
    [InlineData(new double[] { 3, 1, 2 }, 2)]
    [InlineData(new double[] { 4, 1, 3, 2 }, 2.5)]
    [InlineData(new double[] { 7 }, 7)]
    [InlineData(new double[0], 0)]
    public void Median_is_the_middle_value(double[] values, double median) =>
        Assert.Equal(median, Summary.Median(values));

    [Fact]
    public void Summaries_take_medians_over_rounds_and_ratios_to_the_first_target()
    {
        var targets = new[] { new Target("a", "h", 1), new Target("b", "h", 2) };
        var results = new List<RunResult>();
        foreach (var (target, ops) in new[] { ("a", 100.0), ("b", 150.0), ("a", 300.0), ("b", 450.0), ("a", 200.0), ("b", 300.0) })
        {
            var histogram = Latency.Create();
            histogram.RecordValueWithCount(1000, (long)ops);
            results.Add(new RunResult(target, TestKind.Get, 1, (long)ops, (long)ops, (long)ops - 1, 1, 0, 0, 1.0, histogram));
        }

        var summaries = Summary.From(results, targets);

        Assert.Equal(2, summaries.Count);
        Assert.Equal(200, summaries[0].OpsPerSecond);
        Assert.Equal(1.0, summaries[0].Ratio);
        Assert.Equal(300, summaries[1].OpsPerSecond);
        Assert.Equal(1.5, summaries[1].Ratio);
        Assert.Equal(900, summaries[1].Requests);
        Assert.Equal(3, summaries[1].Rounds);
        Assert.Equal(900, summaries[1].Latency.TotalCount);
    }
}
