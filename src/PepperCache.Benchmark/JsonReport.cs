using System.Text;
using System.Text.Json;

namespace PepperCache.Benchmark;

/// <summary>The results (and the options that produced them) as JSON, for scripts and later comparison.</summary>
internal static class JsonReport
{
    public static string Write(BenchmarkOptions options, IReadOnlyList<Summary> summaries)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("tool", "pepper-benchmark");
            json.WriteString("utc", DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartObject("options");
            json.WriteNumber("clients", options.Clients);
            json.WriteNumber("pipeline", options.Pipeline);
            json.WriteNumber("data_size", options.DataSize);
            json.WriteNumber("keyspace", options.Keyspace);
            if (options.Duration is { } duration)
            {
                json.WriteNumber("duration_seconds", duration.TotalSeconds);
            }
            else
            {
                json.WriteNumber("requests", options.Requests);
            }

            json.WriteNumber("rounds", options.Rounds);
            json.WriteNumber("read_percent", options.ReadPercent);
            json.WriteNumber("warmup_seconds", options.Warmup.TotalSeconds);
            json.WriteNumber("warmup_requests", options.WarmupRequests);
            json.WriteString("key_distribution", options.KeyDistribution.ToString());
            json.WriteNumber("seed", options.Seed);
            json.WriteBoolean("cluster", options.Cluster);
            json.WriteStartArray("targets");
            foreach (var target in options.Targets)
            {
                json.WriteStartObject();
                json.WriteString("name", target.Name);
                json.WriteString("endpoint", target.EndPoint);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("results");
            foreach (var s in summaries)
            {
                json.WriteStartObject();
                json.WriteString("test", TableReport.Name(s.Test));
                json.WriteString("target", s.Target);
                json.WriteNumber("rounds", s.Rounds);
                json.WriteNumber("ops_per_sec", Math.Round(s.OpsPerSecond, 2));
                if (s.Ratio is { } ratio)
                {
                    json.WriteNumber("ratio", Math.Round(ratio, 4));
                }

                json.WriteStartArray("round_ops_per_sec");
                foreach (var ops in s.RoundOpsPerSecond)
                {
                    json.WriteNumberValue(Math.Round(ops, 2));
                }

                json.WriteEndArray();
                json.WriteStartObject("latency_us");
                json.WriteNumber("p50", s.P50);
                json.WriteNumber("p90", s.P90);
                json.WriteNumber("p99", s.P99);
                json.WriteNumber("p99_9", s.P999);
                json.WriteNumber("max", s.Max);
                json.WriteEndObject();
                json.WriteNumber("requests", s.Requests);
                json.WriteNumber("reads", s.Reads);
                json.WriteNumber("hits", s.Hits);
                json.WriteNumber("misses", s.Misses);
                if (s.HitRatio is { } hitRatio)
                {
                    json.WriteNumber("hit_ratio", Math.Round(hitRatio, 6));
                }

                json.WriteNumber("errors", s.Errors);
                json.WriteNumber("redirects", s.Redirects);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
