using PepperCache.Server.Commands;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests;

/// <summary>The histogram's buckets and percentiles are HdrHistogram's at two significant digits, as Redis prints them.</summary>
public sealed class LatencyHistogramTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(255, 255)]
    [InlineData(256, 257)]
    [InlineData(22_000, 22_015)]
    [InlineData(65_536, 66_047)]
    [InlineData(LatencyHistogram.MaxNanoseconds, 1_002_438_655)]
    public void APercentileIsTheHighestValueOfItsBucket(long recorded, long reported)
    {
        var histogram = new LatencyHistogram();
        histogram.Record(recorded);

        Assert.Equal(reported, LatencyHistogram.ValueAtPercentile(histogram.Counts, 1, 50));
        Assert.Equal(reported, LatencyHistogram.ValueAtPercentile(histogram.Counts, 1, 99.9));
    }

    [Fact]
    public void PercentilesCountFromTheLowestBucket()
    {
        var histogram = new LatencyHistogram();
        for (var i = 1; i <= 100; i++)
        {
            histogram.Record(i * 1000);
        }

        Assert.Equal(50_175, LatencyHistogram.ValueAtPercentile(histogram.Counts, 100, 50));
        Assert.Equal(99_327, LatencyHistogram.ValueAtPercentile(histogram.Counts, 100, 99));
        Assert.Equal(100_351, LatencyHistogram.ValueAtPercentile(histogram.Counts, 100, 100));
        Assert.Equal(0, LatencyHistogram.ValueAtPercentile(new long[LatencyHistogram.BucketCount], 0, 50));
    }

    [Fact]
    public void DurationsPastOneSecondCountAsOneSecond()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(5_000_000_000);
        histogram.Record(0);

        Assert.Equal(1, histogram.Counts[LatencyHistogram.IndexOf(LatencyHistogram.MaxNanoseconds)]);
        Assert.Equal(1, histogram.Counts[1]);
    }

    [Fact]
    public void LatencyHistogramBucketsDoubleFrom1024NanosecondsAndSkipEmptyOnes()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(5_000);
        histogram.Record(6_000);
        histogram.Record(60_000);

        // Redis: "get" with two calls of a few microseconds answers histogram_usec [8, 2]; 65536 ns is printed 66.
        Assert.Equal([(8L, 2L), (66L, 3L)], LatencyCommands.CumulativeBuckets(histogram.Counts));
    }

    [Fact]
    public void TheLatencyMonitorKeepsTheWorstOfEachSecondAndTheWorstEver()
    {
        var monitor = new LatencyMonitor();
        monitor.Add("command", 20, 1_000_500);
        monitor.Add("command", 10, 1_000_900);
        monitor.Add("command", 7, 1_002_000);
        monitor.Add("fast-command", 3, 1_002_000);

        Assert.Equal([new LatencySample(1000, 20), new LatencySample(1002, 7)], monitor.History("command"));
        Assert.Contains(("command", new LatencySample(1002, 7), 20L), monitor.Latest());
        Assert.Equal(1, monitor.Reset(["command", "nosuch", "command"]));
        Assert.Empty(monitor.History("command"));
        Assert.Equal(1, monitor.Reset([]));
    }
}
