using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>MEMORY USAGE | STATS | DOCTOR | PURGE | MALLOC-STATS | HELP, from the store's own accounting.</summary>
internal static class MemoryCommands
{
    private static readonly string[] HelpLines =
    [
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
    ];

    public static CommandDefinition Definition { get; } = new(
        "memory", -2, None, 0, 0, 0, Subcommands.Dispatch, "server", "A container for memory diagnostics commands.", "4.0.0")
    {
        Subcommands =
        [
            new("memory|doctor", 2, None, 0, 0, 0, Doctor, "server", "Outputs a memory problems report.", "4.0.0") { Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"] },
            new("memory|malloc-stats", 2, None, 0, 0, 0, MallocStats, "server", "Returns the allocator statistics.", "4.0.0") { Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"] },
            new("memory|purge", 2, None, 0, 0, 0, Purge, "server", "Asks the allocator to release memory.", "4.0.0") { Tips = ["request_policy:all_shards", "response_policy:all_succeeded"] },
            new("memory|stats", 2, None, 0, 0, 0, Stats, "server", "Returns details about memory usage.", "4.0.0") { Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"] },
            new("memory|usage", -3, ReadOnly, 2, 2, 1, Usage, "server", "Estimates the memory usage of a key.", "4.0.0") { KeyAccess = KeyAccess.None },
            new("memory|help", 2, Loading | Stale, 0, 0, 0, Help, "server", "Returns helpful text about the different subcommands.", "4.0.0"),
        ],
    };

    /// <summary>
    /// MEMORY USAGE key [SAMPLES count]: the key's entry, its share of the table and its collection, counted exactly
    /// (the store tracks every collection's heap bytes, so there is nothing to sample; SAMPLES is checked and accepted).
    /// </summary>
    private static void Usage(CommandContext context)
    {
        for (var i = 3; i < context.ArgumentCount; i += 2)
        {
            if (!context.ArgumentIs(i, "SAMPLES"u8) || i + 1 >= context.ArgumentCount)
            {
                context.WriteSyntaxError();
                return;
            }

            if (!context.TryGetInt64OrReply(i + 1, out var samples))
            {
                return;
            }

            if (samples < 0)
            {
                context.WriteSyntaxError();
                return;
            }
        }

        if (context.Store.TryDescribe(context.Argument(2), out var key))
        {
            context.Output.WriteInteger(key.Bytes);
        }
        else
        {
            context.Output.WriteNull(context.Resp3);
        }
    }

    /// <summary>MEMORY STATS: Redis's fields where PepperCache has the figure, from the same accounting as INFO memory.</summary>
    private static void Stats(CommandContext context)
    {
        var store = context.Store;
        var used = store.UsedMemoryExact;
        var peak = context.Server.Statistics.ObserveMemory(used);
        var startup = store.EmptyMemory;
        var keys = store.Count;
        var dataset = Math.Max(0, used - startup);
        var rss = Environment.WorkingSet;
        var output = context.Output;
        var resp3 = context.Resp3;
        output.WriteMapHeader(17, resp3);
        Pair(output, "peak.allocated", peak);
        Pair(output, "total.allocated", used);
        Pair(output, "startup.allocated", startup);
        Pair(output, "replication.backlog", 0);
        Pair(output, "clients.slaves", 0);
        Pair(output, "clients.normal", 0);
        Pair(output, "cluster.links", 0);
        Pair(output, "aof.buffer", context.Server.Aof.BufferLength);
        Pair(output, "lua.caches", 0);
        Pair(output, "functions.caches", 0);
        Pair(output, "overhead.total", startup);
        Pair(output, "keys.count", keys);
        Pair(output, "keys.bytes-per-key", keys == 0 ? 0 : dataset / keys);
        Pair(output, "dataset.bytes", dataset);
        PairDouble(output, "dataset.percentage", used == 0 ? 0 : 100.0 * dataset / used, resp3);
        PairDouble(output, "peak.percentage", peak == 0 ? 0 : 100.0 * used / peak, resp3);
        PairDouble(output, "fragmentation", used == 0 ? 0 : (double)rss / used, resp3);
    }

    private static void Doctor(CommandContext context)
    {
        var store = context.Store;
        var max = store.Memory.MaxMemory;
        var text = store.Count == 0
            ? "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. "
              + "Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting."
            : max != 0 && store.UsedMemoryExact > max * 9 / 10
                ? $"Sam, the keyspace holds {store.UsedMemoryExact} bytes, over 90% of maxmemory ({max}): expect evictions or OOM errors under policy {store.Memory.Policy.Name()}."
                : "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.";
        context.Output.WriteVerbatim(text, context.Resp3);
    }

    private static void MallocStats(CommandContext context)
    {
        var info = GC.GetGCMemoryInfo();
        var generations = string.Join(", ", info.GenerationInfo.ToArray().Select((g, i) =>
            $"{(i < 3 ? "gen" + i : i == 3 ? "loh" : "poh")} {g.SizeAfterBytes}/{g.FragmentationAfterBytes}"));
        context.Output.WriteVerbatim(
            $"dotnet-gc: heap {info.HeapSizeBytes} bytes, committed {info.TotalCommittedBytes} bytes, fragmented {info.FragmentedBytes} bytes, "
            + $"promoted {info.PromotedBytes} bytes; after the last collection (size/fragmentation): {generations}; "
            + $"gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}", context.Resp3);
    }

    /// <summary>MEMORY PURGE: a compacting collection that gives free pages back to the OS (the allocator is the GC).</summary>
    private static void Purge(CommandContext context)
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        context.Output.WriteOk();
    }

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "MEMORY", HelpLines);

    private static void Pair(System.Buffers.IBufferWriter<byte> output, string name, long value)
    {
        output.WriteBulkString(name);
        output.WriteInteger(value);
    }

    /// <summary>A ratio: RESP3 gets Redis's addReplyDouble (<c>%.17g</c>); RESP2 keeps the shortest round-trip text.</summary>
    private static void PairDouble(System.Buffers.IBufferWriter<byte> output, string name, double value, bool resp3)
    {
        output.WriteBulkString(name);
        if (resp3)
        {
            Span<byte> text = stackalloc byte[Core.Types.SortedSetScore.MaxLength];
            output.WriteDouble(text[..Core.Types.SortedSetScore.Format(value, text)], resp3);
        }
        else
        {
            output.WriteBulkString(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
