using System.Globalization;
using Spectre.Console;

namespace PepperCache.Benchmark;

/// <summary>The results as a table (Spectre.Console); plain ASCII when the output is not a terminal.</summary>
internal static class TableReport
{
    public static void Write(BenchmarkOptions options, IReadOnlyList<Summary> summaries, TextWriter output)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Never narrower than the table: a narrow terminal wraps lines, which is better than Spectre cutting numbers.
        console.Profile.Width = Math.Max(terminal ? console.Profile.Width : 0, 160);

        var compare = options.Targets.Count > 1;
        var cacheAside = options.Tests.Contains(TestKind.CacheAside);
        var duration = options.Duration is { } d ? $"{d.TotalSeconds:0.#} s per test" : $"{options.Requests:N0} {(cacheAside ? "lookups" : "requests")} per test";
        var warmup = options.WarmupRequests > 0 ? $", {options.WarmupRequests:N0} warm-up requests" : options.Warmup > TimeSpan.Zero ? $", {options.Warmup.TotalSeconds:0.#} s warm-up" : "";
        var distribution = options.KeyDistribution.IsZipf ? $" {options.KeyDistribution}" : "";
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pepper-benchmark: -c {options.Clients} -P {options.Pipeline} -d {options.DataSize} -r {options.Keyspace}{distribution}, {duration}{warmup}, {options.Rounds} round(s){(options.Cluster ? ", cluster" : "")}"));
        var table = new Table { Border = terminal ? TableBorder.Rounded : TableBorder.Ascii };
        table.AddColumn("test");
        table.AddColumn("target");
        table.AddColumn(new TableColumn(compare ? "ops/s (median)" : "ops/s").RightAligned());
        if (compare)
        {
            table.AddColumn(new TableColumn("vs first").RightAligned());
        }

        foreach (var heading in new[] { "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "hits", "misses", "errors" })
        {
            table.AddColumn(new TableColumn(heading).RightAligned());
        }

        if (cacheAside)
        {
            table.AddColumn(new TableColumn("hit ratio").RightAligned());
        }

        foreach (var s in summaries)
        {
            var row = new List<string> { Name(s.Test), Markup.Escape(s.Target), Number(s.OpsPerSecond, "N0") };
            if (compare)
            {
                row.Add(s.Ratio is { } ratio ? Number(ratio, "0.00") + "x" : "");
            }

            row.AddRange([
                Number(s.P50, "N1"), Number(s.P90, "N1"), Number(s.P99, "N1"), Number(s.P999, "N1"), Number(s.Max, "N1"),
                s.Reads > 0 ? Number(s.Hits, "N0") : "-", s.Reads > 0 ? Number(s.Misses, "N0") : "-", Number(s.Errors, "N0"),
            ]);
            if (cacheAside)
            {
                row.Add(s.HitRatio is { } hitRatio ? Percent(hitRatio) : "-");
            }

            table.AddRow([.. row]);
        }

        console.Write(table);
    }

    /// <summary>0.76634 as "76.63%".</summary>
    public static string Percent(double ratio) => (ratio * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    public static string Name(TestKind test) => test == TestKind.CacheAside ? "CACHE-ASIDE" : test.ToString().ToUpperInvariant();

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
