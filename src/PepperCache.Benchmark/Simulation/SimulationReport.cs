using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PepperCache.Benchmark.Simulation;

/// <summary>The simulation's figures as text, CSV (--csv) and JSON (--json FILE).</summary>
internal static class SimulationReport
{
    public const string CsvHeader = "model,capacity_keys,keyspace,distribution,seed,warmup_requests,requests,hits,misses,hit_ratio";

    public static void WriteText(BenchmarkOptions options, SimulationResult result, TextWriter output)
    {
        output.WriteLine(Invariant(
            $"pepper-benchmark simulation (no server): cache-aside trace, {options.KeyDistribution} over -r {options.Keyspace}, --seed {options.Seed}, one stream"));
        output.WriteLine(Invariant($"{result.WarmupRequests:N0} warm-up requests (not counted), then {result.Requests:N0} counted"));
        output.WriteLine(Invariant($"{"model",-12} {"capacity",12} {"hits",14} {"misses",14} {"hit ratio",10}"));
        foreach (var model in result.Models)
        {
            output.WriteLine(Invariant($"{model.Name,-12} {model.Capacity,12:N0} {model.Hits,14:N0} {model.Misses,14:N0} {TableReport.Percent(model.HitRatio),10}"));
        }

        output.WriteLine(Invariant(
            $"ideal: the {result.IdealCapacity:N0} most probable keys held, {TableReport.Percent(result.IdealHitRatio)} of requests (no policy does better on average)"));
    }

    public static void WriteCsv(BenchmarkOptions options, SimulationResult result, TextWriter output)
    {
        output.WriteLine(CsvHeader);
        var common = Invariant($"{options.Keyspace},{options.KeyDistribution},{options.Seed},{result.WarmupRequests},{result.Requests}");
        foreach (var model in result.Models)
        {
            output.WriteLine(Invariant($"{model.Policy},{model.Capacity},{common},{model.Hits},{model.Misses},{model.HitRatio:0.######}"));
        }

        output.WriteLine(Invariant($"ideal,{result.IdealCapacity},{common},,,{result.IdealHitRatio:0.######}"));
    }

    public static string Json(BenchmarkOptions options, SimulationResult result)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("tool", "pepper-benchmark");
            json.WriteString("mode", "simulation");
            json.WriteStartObject("options");
            json.WriteNumber("keyspace", options.Keyspace);
            json.WriteString("key_distribution", options.KeyDistribution.ToString());
            json.WriteNumber("seed", options.Seed);
            json.WriteNumber("warmup_requests", result.WarmupRequests);
            json.WriteNumber("requests", result.Requests);
            json.WriteEndObject();
            json.WriteStartArray("results");
            foreach (var model in result.Models)
            {
                json.WriteStartObject();
                json.WriteString("model", model.Policy);
                json.WriteNumber("capacity_keys", model.Capacity);
                json.WriteNumber("hits", model.Hits);
                json.WriteNumber("misses", model.Misses);
                json.WriteNumber("hit_ratio", Math.Round(model.HitRatio, 6));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("ideal");
            json.WriteNumber("capacity_keys", result.IdealCapacity);
            json.WriteNumber("hit_ratio", Math.Round(result.IdealHitRatio, 6));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
