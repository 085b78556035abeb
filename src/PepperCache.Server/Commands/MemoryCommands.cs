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

    /// <summary>
    /// MEMORY STATS: Redis 7.0's 27 fields in its order, plus db.0 while the keyspace holds keys (as Redis lists only
    /// the databases that have keys), from the same accounting as INFO memory. total.allocated is used_memory (the
    /// keyspace on the managed heap); its overhead is the tables (overhead.hashtable.main, which at start is
    /// startup.allocated) and dataset.bytes the entries and collections in them. Client and AOF buffers are reported
    /// as their own figures but are outside used_memory, so not in overhead.total. What PepperCache does not have
    /// (replication backlog, replicas, Lua and function caches, a separate expires table, a slot-to-keys index)
    /// answers 0. The allocator is the .NET GC: allocated is what the heap holds, active and resident its committed
    /// bytes; rss-overhead is the process's working set beyond that. Ratios are floats as Redis computes them.
    /// </summary>
    private static void Stats(CommandContext context)
    {
        var store = context.Store;
        var used = store.UsedMemoryExact;
        var peak = Math.Max(used, context.Server.Statistics.ObserveMemory(used));
        var startup = store.EmptyMemory;
        var keys = store.Count;
        var tables = Math.Max(startup, store.TableMemory);
        var overhead = Math.Min(used, tables);
        var dataset = used - overhead;
        var netUsage = used > startup ? used - startup : 1;
        long clients = 0;
        foreach (var client in context.Server.Clients.Sessions)
        {
            clients += ClientMemory.Of(client, null).Total;
        }

        var heap = GC.GetTotalMemory(forceFullCollection: false);
        var committed = Math.Max(heap, GC.GetGCMemoryInfo().TotalCommittedBytes);
        var rss = Environment.WorkingSet;
        var output = context.Output;
        var resp3 = context.Resp3;
        output.WriteMapHeader(keys > 0 ? 28 : 27, resp3);
        Pair(output, "peak.allocated", peak);
        Pair(output, "total.allocated", used);
        Pair(output, "startup.allocated", startup);
        Pair(output, "replication.backlog", 0);
        Pair(output, "clients.slaves", 0);
        Pair(output, "clients.normal", clients);
        Pair(output, "cluster.links", 0);
        Pair(output, "aof.buffer", context.Server.Aof.BufferLength);
        Pair(output, "lua.caches", 0);
        Pair(output, "functions.caches", 0);
        if (keys > 0)
        {
            output.WriteBulkString("db.0");
            output.WriteMapHeader(3, resp3);
            Pair(output, "overhead.hashtable.main", tables);
            Pair(output, "overhead.hashtable.expires", 0);
            Pair(output, "overhead.hashtable.slot-to-keys", 0);
        }

        Pair(output, "overhead.total", overhead);
        Pair(output, "keys.count", keys);
        Pair(output, "keys.bytes-per-key", keys == 0 ? 0 : netUsage / keys);
        Pair(output, "dataset.bytes", dataset);
        PairRatio(output, "dataset.percentage", dataset * 100, netUsage, resp3);
        PairRatio(output, "peak.percentage", used * 100, peak, resp3);
        Pair(output, "allocator.allocated", heap);
        Pair(output, "allocator.active", committed);
        Pair(output, "allocator.resident", committed);
        PairRatio(output, "allocator-fragmentation.ratio", committed, heap, resp3);
        Pair(output, "allocator-fragmentation.bytes", committed - heap);
        PairRatio(output, "allocator-rss.ratio", committed, committed, resp3);
        Pair(output, "allocator-rss.bytes", 0);
        PairRatio(output, "rss-overhead.ratio", rss, committed, resp3);
        Pair(output, "rss-overhead.bytes", rss - committed);
        PairRatio(output, "fragmentation", rss, used, resp3);
        Pair(output, "fragmentation.bytes", rss - used);
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

    /// <summary>
    /// A ratio as Redis's float fields give it (0 over 0 is 0): addReplyDouble's <c>%.17g</c> of the float widened to
    /// a double, a double in RESP3 and a bulk string in RESP2.
    /// </summary>
    private static void PairRatio(System.Buffers.IBufferWriter<byte> output, string name, long part, long whole, bool resp3)
    {
        output.WriteBulkString(name);
        var ratio = whole == 0 ? 0f : (float)part / whole;
        Span<byte> text = stackalloc byte[Core.Types.SortedSetScore.MaxLength];
        output.WriteDouble(text[..Core.Types.SortedSetScore.Format(ratio, text)], resp3);
    }
}
