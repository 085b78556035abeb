using System.Numerics;

namespace PepperCache.Server.Resp;

/// <summary>
/// Command durations in nanoseconds, bucketed as Redis buckets them: an HdrHistogram from 1 ns to 1 s with two
/// significant digits (Redis's LATENCY_HISTOGRAM_* settings), so INFO latencystats reads the same percentiles from the
/// same bucket edges. The layout is HdrHistogram's (256 sub-buckets, the upper 128 of each power of two in a row); it
/// is written here rather than taken from the HdrHistogram package because recording must be a plain increment of a
/// <c>long</c> (see <see cref="CommandStatistics"/>) and reading must tolerate counts that move while they are read.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Redis's LATENCY_HISTOGRAM_MAX_VALUE: 1 s; longer durations count as 1 s.</summary>
    public const long MaxNanoseconds = 1_000_000_000;

    private const int SubBucketHalfCountMagnitude = 7;
    private const int SubBucketHalfCount = 1 << SubBucketHalfCountMagnitude;
    private const long SubBucketMask = (2L << SubBucketHalfCountMagnitude) - 1;

    /// <summary>Buckets up to <see cref="MaxNanoseconds"/>: 3,072 (24 KB).</summary>
    public static readonly int BucketCount = IndexOf(MaxNanoseconds) + 1;

    private readonly long[] _counts = new long[BucketCount];

    public long[] Counts => _counts;

    /// <summary>Counts one duration. Not atomic: a concurrent record of the same bucket may be lost, never corrupted.</summary>
    public void Record(long nanoseconds) => _counts[IndexOf(Math.Clamp(nanoseconds, 1, MaxNanoseconds))]++;

    /// <summary>The bucket of a value in 1..<see cref="MaxNanoseconds"/> (HdrHistogram's counts index).</summary>
    internal static int IndexOf(long value)
    {
        var bucket = 64 - BitOperations.LeadingZeroCount((ulong)(value | SubBucketMask)) - (SubBucketHalfCountMagnitude + 1);
        var subBucket = (int)(value >> bucket);
        return ((bucket + 1) << SubBucketHalfCountMagnitude) + (subBucket - SubBucketHalfCount);
    }

    /// <summary>The largest value that falls in bucket <paramref name="index"/> (what HdrHistogram reports for a percentile).</summary>
    internal static long HighestValueAt(int index)
    {
        var bucket = (index >> SubBucketHalfCountMagnitude) - 1;
        var subBucket = (index & (SubBucketHalfCount - 1)) + SubBucketHalfCount;
        if (bucket < 0)
        {
            subBucket -= SubBucketHalfCount;
            bucket = 0;
        }

        return ((long)subBucket << bucket) + (1L << bucket) - 1;
    }

    /// <summary>
    /// hdr_value_at_percentile over summed counts: the highest value of the bucket where the running count reaches
    /// <paramref name="percentile"/>% of the total (at least one). 0 when empty.
    /// </summary>
    public static long ValueAtPercentile(ReadOnlySpan<long> counts, long total, double percentile)
    {
        if (total <= 0)
        {
            return 0;
        }

        var wanted = Math.Max(1, (long)((Math.Min(percentile, 100) / 100 * total) + 0.5));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= wanted)
            {
                return HighestValueAt(i);
            }
        }

        return HighestValueAt(counts.Length - 1);
    }
}
