using System.Globalization;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// LATENCY LATEST | HISTORY | RESET | DOCTOR | GRAPH | HISTOGRAM | HELP over the <see cref="LatencyMonitor"/> and the
/// per-command histograms. DOCTOR and GRAPH are shorter than Redis's (see docs/operations.md).
/// </summary>
internal static class LatencyCommands
{
    private static readonly string[] HelpLines =
    [
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
    ];

    public static CommandDefinition Definition { get; } = new(
        "latency", -2, None, 0, 0, 0, Subcommands.Dispatch, "server", "A container for latency diagnostics commands.", "2.8.13")
    {
        Subcommands =
        [
            Sub("latency|latest", 2, Latest, "Returns the latest latency samples for all events.") with { Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            Sub("latency|history", 3, History, "Returns timestamp-latency samples for an event.") with { Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            Sub("latency|reset", -2, Reset, "Resets the latency data for one or more events.") with { Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"] },
            Sub("latency|doctor", 2, Doctor, "Returns a human-readable latency analysis report.") with { Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            Sub("latency|graph", 3, Graph, "Returns a latency graph for an event.") with { Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            Sub("latency|histogram", -2, Histogram, "Returns the cumulative distribution of latencies of a subset or all commands.", "7.0.0") with { Tips = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"] },
            new("latency|help", 2, Loading | Stale, 0, 0, 0, Help, "server", "Returns helpful text about the different subcommands.", "2.8.13"),
        ],
    };

    private static CommandDefinition Sub(string name, int arity, CommandHandler handler, string summary, string since = "2.8.13") =>
        new(name, arity, Admin | NoScript | Loading | Stale, 0, 0, 0, handler, "server", summary, since);

    /// <summary>Per event: [name, unix time of the newest sample, its latency, the worst latency] (ms).</summary>
    private static void Latest(CommandContext context)
    {
        var latest = context.Server.Statistics.Latency.Latest();
        context.Output.WriteArrayHeader(latest.Count);
        foreach (var (name, sample, max) in latest)
        {
            context.Output.WriteArrayHeader(4);
            context.Output.WriteBulkString(name);
            context.Output.WriteInteger(sample.UnixSeconds);
            context.Output.WriteInteger(sample.Milliseconds);
            context.Output.WriteInteger(max);
        }
    }

    private static void History(CommandContext context)
    {
        var samples = context.Server.Statistics.Latency.History(context.Request.GetString(2));
        context.Output.WriteArrayHeader(samples.Count);
        foreach (var sample in samples)
        {
            context.Output.WriteArrayHeader(2);
            context.Output.WriteInteger(sample.UnixSeconds);
            context.Output.WriteInteger(sample.Milliseconds);
        }
    }

    private static void Reset(CommandContext context)
    {
        var names = new List<string>();
        for (var i = 2; i < context.ArgumentCount; i++)
        {
            names.Add(context.Request.GetString(i));
        }

        context.Output.WriteInteger(context.Server.Statistics.Latency.Reset(names));
    }

    /// <summary>Redis's texts when there is nothing to say; otherwise one line per event with its figures.</summary>
    private static void Doctor(CommandContext context)
    {
        var statistics = context.Server.Statistics;
        var events = statistics.Latency.Latest();
        string report;
        if (events.Count == 0 && statistics.LatencyMonitorThreshold == 0)
        {
            report = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
        }
        else if (events.Count == 0)
        {
            report = "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
        }
        else
        {
            var text = new StringBuilder("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
            var number = 1;
            foreach (var (name, _, max) in events)
            {
                var samples = statistics.Latency.History(name);
                var average = samples.Average(s => (double)s.Milliseconds);
                var deviation = samples.Average(s => Math.Abs(s.Milliseconds - average));
                var period = samples.Count > 1 ? (double)(samples[^1].UnixSeconds - samples[0].UnixSeconds) / (samples.Count - 1) : 0;
                text.Append(CultureInfo.InvariantCulture,
                    $"{number++}. {name}: {samples.Count} latency spikes (average {average:F0}ms, mean deviation {deviation:F0}ms, period {period:F2} sec). Worst all time event {max}ms.\n");
            }

            text.Append("\nCheck the slow log (SLOWLOG GET) for the commands that took longest.\n");
            report = text.ToString();
        }

        context.Output.WriteVerbatim(report, context.Resp3);
    }

    /// <summary>The event's range and its samples, newest last, one line each (Redis draws an ASCII chart).</summary>
    private static void Graph(CommandContext context)
    {
        var name = context.Request.GetString(2);
        var monitor = context.Server.Statistics.Latency;
        var samples = monitor.History(name);
        if (samples.Count == 0)
        {
            context.WriteError($"ERR No samples available for event '{ErrorMessages.Printable(name)}'");
            return;
        }

        var max = monitor.Latest().First(e => e.Event == name).Max;
        var now = context.Store.Now / 1000;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{name} - high {samples.Max(s => s.Milliseconds)} ms, low {samples.Min(s => s.Milliseconds)} ms (all time high {max} ms)\n");
        text.Append(new string('-', 80)).Append('\n');
        foreach (var sample in samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"{now - sample.UnixSeconds}s ago: {sample.Milliseconds} ms\n");
        }

        context.Output.WriteVerbatim(text.ToString(), context.Resp3);
    }

    /// <summary>
    /// [name, ["calls", n, "histogram_usec", [bucket, cumulative count, ...]], ...]: Redis's buckets (1024 ns,
    /// doubling, printed as microseconds), only those where the count grows.
    /// </summary>
    private static void Histogram(CommandContext context)
    {
        var server = context.Server;
        var histograms = server.Statistics.Commands.HistogramsSinceReset(server.Commands);
        IEnumerable<KeyValuePair<Resp.CommandDefinition, long[]>> selected = histograms.OrderBy(e => e.Key.Name, StringComparer.Ordinal);
        if (context.ArgumentCount > 2)
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 2; i < context.ArgumentCount; i++)
            {
                names.Add(context.Request.GetString(i));
            }

            selected = selected.Where(e => names.Contains(e.Key.Name));
        }

        var list = selected.ToList();
        var output = context.Output;
        var resp3 = context.Resp3;
        output.WriteMapHeader(list.Count, resp3);
        foreach (var (command, counts) in list)
        {
            var buckets = CumulativeBuckets(counts);
            output.WriteBulkString(command.Name);
            output.WriteMapHeader(2, resp3);
            output.WriteBulkString("calls"u8);
            output.WriteInteger(counts.Sum());
            output.WriteBulkString("histogram_usec"u8);
            output.WriteMapHeader(buckets.Count, resp3);
            foreach (var (microseconds, count) in buckets)
            {
                output.WriteInteger(microseconds);
                output.WriteInteger(count);
            }
        }
    }

    /// <summary>hdr's logarithmic iteration from 1024 ns by powers of two, as Redis's fillCommandCDF walks it.</summary>
    internal static List<(long Microseconds, long Count)> CumulativeBuckets(long[] counts)
    {
        var total = counts.Sum();
        var buckets = new List<(long, long)>();
        long cumulative = 0;
        var next = 0;
        for (var level = 1024L; cumulative < total; level *= 2)
        {
            var index = LatencyHistogram.IndexOf(Math.Min(level, LatencyHistogram.MaxNanoseconds));
            var previous = cumulative;
            for (; next <= index && next < counts.Length; next++)
            {
                cumulative += counts[next];
            }

            if (cumulative > previous)
            {
                buckets.Add((LatencyHistogram.HighestValueAt(index) / 1000, cumulative));
            }

            if (level >= LatencyHistogram.MaxNanoseconds)
            {
                break;
            }
        }

        return buckets;
    }

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "LATENCY", HelpLines);
}
