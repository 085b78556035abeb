using System.Globalization;

namespace PepperCache.Benchmark;

/// <summary>One line per test and target; numbers in invariant culture, latencies in microseconds.</summary>
internal static class CsvReport
{
    public const string Header = "test,target,rounds,requests,ops_per_sec,ratio,p50_us,p90_us,p99_us,p999_us,max_us,reads,hits,misses,errors,hit_ratio";

    public static void Write(IReadOnlyList<Summary> summaries, TextWriter output)
    {
        output.WriteLine(Header);
        foreach (var s in summaries)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{TableReport.Name(s.Test)},{Quote(s.Target)},{s.Rounds},{s.Requests},{s.OpsPerSecond:0.##},{(s.Ratio is { } r ? r.ToString("0.####", CultureInfo.InvariantCulture) : "")},{s.P50:0.###},{s.P90:0.###},{s.P99:0.###},{s.P999:0.###},{s.Max:0.###},{s.Reads},{s.Hits},{s.Misses},{s.Errors},{(s.HitRatio is { } h ? h.ToString("0.######", CultureInfo.InvariantCulture) : "")}"));
        }
    }

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
