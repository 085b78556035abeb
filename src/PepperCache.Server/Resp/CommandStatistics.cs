using System.Diagnostics;

namespace PepperCache.Server.Resp;

/// <summary>
/// Per-command statistics as Redis 7 keeps them (INFO commandstats, INFO latencystats, /metrics): calls, time,
/// rejected and failed calls, and a latency histogram per command.
/// </summary>
/// <remarks>
/// The hot path takes no lock and makes no interlocked operation. Counts live on the connection
/// (<see cref="ClientCommandCounters"/>, written by its own thread only) and are summed when read. Histograms are too
/// big to keep per connection, so there is one per command and per stripe, a stripe per processor
/// (<see cref="Thread.GetCurrentProcessorId"/>): threads running at the same time on different processors write
/// different arrays. A thread's processor id is a cached hint, so two threads can meet on one stripe for a moment and
/// one increment be lost; a histogram is a sample of durations, and the exact calls come from the counters.
/// Everything is monotonic: CONFIG RESETSTAT keeps a copy of the figures at that point and INFO reports the
/// difference, while /metrics reports the raw counters, as Prometheus wants counters that never go back.
/// </remarks>
internal sealed class CommandStatistics
{
    /// <summary>Whether Stopwatch ticks are nanoseconds (Linux): no conversion on the hot path then.</summary>
    private static readonly bool TicksAreNanoseconds = Stopwatch.Frequency == 1_000_000_000;

    private readonly LatencyHistogram?[][] _stripes;
    private readonly int _stripeMask;
    private readonly Lock _resetLock = new();
    private Dictionary<CommandDefinition, CommandTotals> _resetCounts = [];
    private Dictionary<CommandDefinition, long[]> _resetHistograms = [];

    public CommandStatistics()
    {
        var stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount);
        _stripes = new LatencyHistogram?[stripes][];
        for (var i = 0; i < stripes; i++)
        {
            _stripes[i] = new LatencyHistogram?[CommandDefinition.IdCount];
        }

        _stripeMask = stripes - 1;
    }

    /// <summary>latency-tracking: whether durations go into the histograms.</summary>
    public bool LatencyTracking { get; set; } = true;

    /// <summary>Converts <see cref="Stopwatch"/> ticks to nanoseconds.</summary>
    public static long ToNanoseconds(long ticks) =>
        TicksAreNanoseconds ? ticks : (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <summary>Adds one duration to <paramref name="command"/>'s histogram on this processor's stripe.</summary>
    public void RecordLatency(CommandDefinition command, long ticks)
    {
        var stripe = _stripes[Thread.GetCurrentProcessorId() & _stripeMask];
        var id = command.Id;
        if ((uint)id < (uint)stripe.Length && stripe[id] is { } histogram)
        {
            histogram.Record(ToNanoseconds(ticks));
            return;
        }

        RecordFirst(stripe, command, ticks);
    }

    /// <summary>
    /// A command's first duration on this stripe: its histograms are made on every stripe at once, so that a thread
    /// moving to another processor later does not allocate on the command path.
    /// </summary>
    private void RecordFirst(LatencyHistogram?[] stripe, CommandDefinition command, long ticks)
    {
        if ((uint)command.Id >= (uint)stripe.Length)
        {
            // A definition made after start-up (tests build their own): not tracked.
            return;
        }

        foreach (var each in _stripes)
        {
            if (Volatile.Read(ref each[command.Id]) is null)
            {
                Interlocked.CompareExchange(ref each[command.Id], new LatencyHistogram(), null);
            }
        }

        stripe[command.Id]!.Record(ToNanoseconds(ticks));
    }

    /// <summary>The counts since start-up, per command (the raw counters /metrics exports).</summary>
    public static Dictionary<CommandDefinition, CommandTotals> Totals(ClientRegistry clients) => clients.CommandTotals();

    /// <summary>The counts since the last CONFIG RESETSTAT, per command that has any (INFO commandstats).</summary>
    public Dictionary<CommandDefinition, CommandTotals> TotalsSinceReset(ClientRegistry clients)
    {
        var now = clients.CommandTotals();
        Dictionary<CommandDefinition, CommandTotals> reset;
        lock (_resetLock)
        {
            reset = _resetCounts;
        }

        var since = new Dictionary<CommandDefinition, CommandTotals>();
        foreach (var (command, totals) in now)
        {
            var difference = reset.TryGetValue(command, out var then) ? totals - then : totals;
            if (difference.Calls > 0 || difference.Rejected > 0 || difference.Failed > 0)
            {
                since[command] = difference;
            }
        }

        return since;
    }

    /// <summary>Each command's histogram summed over the stripes since start-up (counts indexed as <see cref="LatencyHistogram"/>'s).</summary>
    public Dictionary<CommandDefinition, long[]> Histograms(CommandTable table)
    {
        var merged = new Dictionary<CommandDefinition, long[]>();
        foreach (var command in AllDefinitions(table))
        {
            long[]? sum = null;
            foreach (var stripe in _stripes)
            {
                if ((uint)command.Id < (uint)stripe.Length && Volatile.Read(ref stripe[command.Id]) is { } histogram)
                {
                    sum ??= new long[LatencyHistogram.BucketCount];
                    var counts = histogram.Counts;
                    for (var i = 0; i < sum.Length; i++)
                    {
                        sum[i] += counts[i];
                    }
                }
            }

            if (sum is not null)
            {
                merged[command] = sum;
            }
        }

        return merged;
    }

    /// <summary>The histograms since the last CONFIG RESETSTAT, of the commands with a duration since.</summary>
    public Dictionary<CommandDefinition, long[]> HistogramsSinceReset(CommandTable table)
    {
        var now = Histograms(table);
        Dictionary<CommandDefinition, long[]> reset;
        lock (_resetLock)
        {
            reset = _resetHistograms;
        }

        var since = new Dictionary<CommandDefinition, long[]>();
        foreach (var (command, counts) in now)
        {
            if (reset.TryGetValue(command, out var then))
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    counts[i] = Math.Max(0, counts[i] - then[i]);
                }
            }

            if (counts.AsSpan().ContainsAnyExcept(0))
            {
                since[command] = counts;
            }
        }

        return since;
    }

    /// <summary>CONFIG RESETSTAT: the figures from now on count from here.</summary>
    public void Reset(ClientRegistry clients, CommandTable table)
    {
        var counts = clients.CommandTotals();
        var histograms = Histograms(table);
        lock (_resetLock)
        {
            _resetCounts = counts;
            _resetHistograms = histograms;
        }
    }

    /// <summary>Every command and subcommand of the table.</summary>
    public static IEnumerable<CommandDefinition> AllDefinitions(CommandTable table) =>
        table.All.SelectMany(c => c.Subcommands.Prepend(c));
}

/// <summary>One command's counts summed over connections.</summary>
internal readonly record struct CommandTotals(long Calls, long Ticks, long Rejected, long Failed)
{
    public static CommandTotals operator +(CommandTotals a, CommandTotals b) =>
        new(a.Calls + b.Calls, a.Ticks + b.Ticks, a.Rejected + b.Rejected, a.Failed + b.Failed);

    public static CommandTotals operator -(CommandTotals a, CommandTotals b) =>
        new(a.Calls - b.Calls, a.Ticks - b.Ticks, a.Rejected - b.Rejected, a.Failed - b.Failed);

    public long Microseconds => CommandStatistics.ToNanoseconds(Ticks) / 1000;
}
