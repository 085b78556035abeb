using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// MOVE and SWAPDB, which name a second database. The node has one (CONFIG GET databases is 1), so they answer what
/// Redis started with <c>--databases 1</c> answers, and what a Redis Cluster node answers once the node is in a
/// cluster of two or more (INFO cluster_enabled:1). Neither ever changes the keyspace, so neither reaches the AOF.
/// </summary>
internal static class DatabaseCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("move", 3, Write | Fast, 1, 1, 1, Move, "generic", "Moves a key to another database.") { KeyFlags = ["RW", "access", "update"] },
        new("swapdb", 3, Write | Fast, 0, 0, 0, SwapDb, "server", "Swaps two Redis databases.", "4.0.0")
        {
            AclCategories = ["keyspace", "dangerous"],
        },
    ];

    /// <summary>MOVE key db: db 0 is the key's own database, any other is out of range; whether the key exists does not matter.</summary>
    private static void Move(CommandContext context)
    {
        if (InCluster(context))
        {
            context.WriteError("ERR MOVE is not allowed in cluster mode");
            return;
        }

        if (!context.TryGetInt64OrReply(2, out var db))
        {
            return;
        }

        if (db is < int.MinValue or > int.MaxValue)
        {
            context.WriteError(ErrorMessages.IntOutOfRange);
            return;
        }

        context.WriteError(db == 0 ? "ERR source and destination objects are the same"u8 : ErrorMessages.DbIndexOutOfRange);
    }

    /// <summary>SWAPDB index1 index2: only 0 with 0, which swaps nothing and answers OK.</summary>
    private static void SwapDb(CommandContext context)
    {
        if (InCluster(context))
        {
            context.WriteError("ERR SWAPDB is not allowed in cluster mode");
            return;
        }

        if (!TryGetIndex(context, 1, out var first))
        {
            context.WriteError("ERR invalid first DB index");
            return;
        }

        if (!TryGetIndex(context, 2, out var second))
        {
            context.WriteError("ERR invalid second DB index");
            return;
        }

        if (first != 0 || second != 0)
        {
            context.WriteError(ErrorMessages.DbIndexOutOfRange);
            return;
        }

        context.Output.WriteOk();
    }

    /// <summary>Redis's getIntFromObjectOrReply with its own message: an integer that fits an int.</summary>
    private static bool TryGetIndex(CommandContext context, int index, out long value) =>
        context.TryGetInt64(index, out value) && value is >= int.MinValue and <= int.MaxValue;

    private static bool InCluster(CommandContext context) => context.Server.Mode == "cluster";
}
