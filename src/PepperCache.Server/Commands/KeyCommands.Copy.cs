using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// COPY source destination [DB destination-db] [REPLACE].
internal static partial class KeyCommands
{
    /// <summary>
    /// Copies any type (a collection through <see cref="StoreObject.Clone"/>) with its TTL. PepperCache has one
    /// database (CONFIG GET databases answers 1), so DB answers what Redis started with <c>--databases 1</c> answers:
    /// 0 is accepted and any other index is "ERR DB index is out of range" (a Redis Cluster node with 16 databases
    /// answers "ERR Copying to another database is not allowed in cluster mode" instead; see docs/commands.md).
    /// AOF: logged as DEL of the destination, then as sent: a destination that had expired at run time may be present
    /// during replay, where COPY without REPLACE would fail.
    /// </summary>
    public static void Copy(CommandContext context)
    {
        var replace = false;
        for (var j = 3; j < context.ArgumentCount; j++)
        {
            if (context.ArgumentIs(j, "replace"u8))
            {
                replace = true;
            }
            else if (context.ArgumentIs(j, "db"u8) && j + 1 < context.ArgumentCount)
            {
                if (!context.TryGetInt64OrReply(j + 1, out var db))
                {
                    return;
                }

                if (db is < int.MinValue or > int.MaxValue)
                {
                    context.WriteError(ErrorMessages.IntOutOfRange);
                    return;
                }

                if (db != 0)
                {
                    context.WriteError(ErrorMessages.DbIndexOutOfRange);
                    return;
                }

                j++;
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }

        var source = context.Argument(1);
        var destination = context.Argument(2);
        if (source.SequenceEqual(destination))
        {
            context.WriteError("ERR source and destination objects are the same"u8);
            return;
        }

        var result = context.Store.Copy(source, destination, replace);
        if (result == CopyResult.NoSource)
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteRaw(RespConstants.Zero);
            return;
        }

        context.Client.KeyspaceHits++;
        if (result == CopyResult.Copied)
        {
            context.Aof.Delete(destination);
            context.Aof.Request(context.Request);
        }

        context.Output.WriteRaw(result == CopyResult.Copied ? RespConstants.One : RespConstants.Zero);
    }
}
