using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>
/// maxmemory, as Redis's processCommand applies it: before a command runs on a node over its limit, evict by the
/// policy; if nothing could be freed, refuse the commands that may grow memory (<c>denyoom</c>) with OOM and let
/// reads and deletes through.
/// </summary>
internal static class MemoryGuard
{
    /// <summary>Keys one command may evict before it runs: bounded work per write, as Redis's eviction time limit.</summary>
    internal const int KeysPerCommand = 64;

    /// <summary>Keys a background round may evict (the expiry service's tick) when writes left the node over its limit.</summary>
    internal const int KeysPerBackgroundRound = 4096;

    /// <summary>
    /// False when the command must be refused for want of memory (the OOM reply is written). A denyoom command's call
    /// that can only free memory (<see cref="CommandDefinition.FreesMemory"/>) is not refused: refusing it would keep
    /// the node over its limit.
    /// </summary>
    public static bool Admit(CommandContext context, CommandDefinition command)
    {
        // As Redis: while clients are paused the dataset stays still, so nothing is evicted, and nothing is refused for it.
        if (context.Server.Pause.IsActive)
        {
            return true;
        }

        if (MakeRoom(context.Server, KeysPerCommand) != EvictionOutcome.Failed
            || (command.Flags & CommandFlags.DenyOom) == 0
            || (command.FreesMemory is { } frees && frees(context)))
        {
            return true;
        }

        context.WriteError(ErrorMessages.OutOfMemory);
        return false;
    }

    /// <summary>
    /// Under a limit, keeps the heap near what the keyspace holds. Evicted and expired entries lived long enough to
    /// reach gen2, which the GC collects only when its budget (grown with the heap) runs out, and whose holes it fills
    /// without compacting: under steady eviction the process would settle at twice the limit. Eviction hands most of
    /// them to the next writes (EntryRecycler); for the rest, a background gen2 collection once garbage passes an
    /// eighth of maxmemory, and a compacting one (a short pause, at most twice a second) once the free holes do.
    /// </summary>
    public static void CollectEvictedGarbage(KeyValueStore store)
    {
        var max = store.Memory.MaxMemory;
        if (max == 0)
        {
            CollectLargeGarbage(store);
            return;
        }

        var info = GC.GetGCMemoryInfo();
        var now = Environment.TickCount64;
        if (info.FragmentedBytes > max / 8 && now - Volatile.Read(ref _lastCompaction) >= 500)
        {
            Volatile.Write(ref _lastCompaction, now);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        else if (GC.GetTotalMemory(forceFullCollection: false) - store.UsedMemory > max / 8)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false, compacting: false);
        }
    }

    private static long _lastCompaction;

    /// <summary>Dead bytes on the heap that are worth a collection of their own when there is no maxmemory.</summary>
    internal const long LargeGarbage = 64L * 1024 * 1024;

    private static long _lastLargeCollection;

    /// <summary>
    /// A keyspace under which a blocking, compacting collection is a short pause: it costs in proportion to what is
    /// live (measured on this kind of machine, about 1.8 ms per MB: 110 ms with 60 MB live, while a million keys
    /// expired). Above it the dead bytes are collected in the background, without a pause, and not compacted.
    /// </summary>
    internal const long SmallKeyspace = 8L * 1024 * 1024;

    /// <summary>
    /// Without a limit, a huge value let go (DEL or overwrite of a 500 MB string, the argument array a big SET arrived
    /// in) is a large-object-heap array that only a gen2 collection frees, and with little else allocated none may come
    /// for a long time: the node would keep the RSS. So once dead bytes pass 64 MB and what the keyspace holds, a full
    /// collection, at most once a second: over a small keyspace a blocking one that also compacts and gives the freed
    /// memory back to the system (a short pause), over a larger one a background one (no pause, no compaction).
    /// </summary>
    private static void CollectLargeGarbage(KeyValueStore store)
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _lastLargeCollection) < 1000)
        {
            return;
        }

        var used = store.UsedMemory;
        if (GC.GetTotalMemory(forceFullCollection: false) - used > Math.Max(LargeGarbage, used))
        {
            Volatile.Write(ref _lastLargeCollection, now);
            if (used <= SmallKeyspace)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
            else
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false, compacting: false);
            }
        }
    }

    /// <summary>Evicts toward the limit, logging evictions when the append-only file records.</summary>
    public static EvictionOutcome MakeRoom(ServerState server, int maxKeys)
        => server.Aof.IsRecording ? server.Aof.Evict(maxKeys) : server.Store.Evict(maxKeys, listener: null);
}
