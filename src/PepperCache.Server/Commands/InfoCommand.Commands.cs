using System.Globalization;
using System.Text;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>INFO commandstats and latencystats: per-command figures since start-up or CONFIG RESETSTAT.</summary>
internal static partial class InfoCommand
{
    /// <summary><c>cmdstat_get:calls=3,usec=12,usec_per_call=4.00,rejected_calls=0,failed_calls=0</c>, subcommands as <c>cmdstat_config|get</c>.</summary>
    private static void WriteCommandStats(StringBuilder text, CommandContext context)
    {
        var server = context.Server;
        foreach (var (command, totals) in server.Statistics.Commands.TotalsSinceReset(server.Clients).OrderBy(e => e.Key.Name, StringComparer.Ordinal))
        {
            var perCall = totals.Calls == 0 ? 0 : CommandStatistics.ToNanoseconds(totals.Ticks) / 1000.0 / totals.Calls;
            text.Append(CultureInfo.InvariantCulture,
                $"cmdstat_{command.Name}:calls={totals.Calls},usec={totals.Microseconds},usec_per_call={perCall:F2},rejected_calls={totals.Rejected},failed_calls={totals.Failed}\r\n");
        }
    }

    /// <summary>
    /// <c>latency_percentiles_usec_get:p50=1.003,p99=3.007,p99.9=10.047</c>: the percentiles of latency-tracking-info-percentiles,
    /// in microseconds with three decimals, for each command that ran (none when latency-tracking is off).
    /// </summary>
    private static void WriteLatencyStats(StringBuilder text, CommandContext context)
    {
        var server = context.Server;
        var percentiles = server.Config.LatencyTrackingPercentiles;
        foreach (var (command, counts) in server.Statistics.Commands.HistogramsSinceReset(server.Commands).OrderBy(e => e.Key.Name, StringComparer.Ordinal))
        {
            var total = counts.Sum();
            text.Append("latency_percentiles_usec_").Append(command.Name).Append(':');
            for (var i = 0; i < percentiles.Count; i++)
            {
                var value = LatencyHistogram.ValueAtPercentile(counts, total, percentiles[i]) / 1000.0;
                text.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"p{FormatPercentile(percentiles[i])}={value:F3}");
            }

            text.Append("\r\n");
        }
    }

    /// <summary>As Redis prints a percentile: <c>%f</c> with the trailing zeros (and point) trimmed, "50", "99.9".</summary>
    internal static string FormatPercentile(double percentile) => percentile.ToString("0.######", CultureInfo.InvariantCulture);
}
