using PepperCache.Core.Rdb;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// DUMP key, and RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency].
internal static partial class KeyCommands
{
    /// <summary>DUMP: Redis 7.0's serialized value (<see cref="DumpPayload"/>), or nil; a read of the key as Redis counts it.</summary>
    public static void Dump(CommandContext context)
    {
        var payload = context.Store.Dump(context.Argument(1));
        if (payload is null)
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteNull(context.Resp3);
            return;
        }

        context.Client.KeyspaceHits++;
        context.Output.WriteBulkString(payload);
    }

    /// <summary>
    /// RESTORE with Redis 7.0's checks in Redis's order (restoreCommand): the options, then BUSYKEY, then the TTL,
    /// then the payload's version and checksum, then its content. A TTL already past (ABSTTL) stores nothing, deletes
    /// the key REPLACE names, and answers OK, as Redis does.
    /// AOF: logged as what it stored, in the records other commands use: a string as SET ... PXAT, a collection as
    /// DEL and the commands that rebuild it, then PEXPIREAT; a past TTL that deleted the key as DEL.
    /// </summary>
    public static void Restore(CommandContext context)
    {
        var replace = false;
        var absoluteTtl = false;
        long idleSeconds = -1;
        long frequency = -1;
        for (var j = 4; j < context.ArgumentCount; j++)
        {
            var more = context.ArgumentCount - j - 1;
            if (context.ArgumentIs(j, "replace"u8))
            {
                replace = true;
            }
            else if (context.ArgumentIs(j, "absttl"u8))
            {
                absoluteTtl = true;
            }
            else if (context.ArgumentIs(j, "idletime"u8) && more >= 1 && frequency == -1)
            {
                if (!context.TryGetInt64OrReply(++j, out idleSeconds))
                {
                    return;
                }

                if (idleSeconds < 0)
                {
                    context.WriteError("ERR Invalid IDLETIME value, must be >= 0"u8);
                    return;
                }
            }
            else if (context.ArgumentIs(j, "freq"u8) && more >= 1 && idleSeconds == -1)
            {
                if (!context.TryGetInt64OrReply(++j, out frequency))
                {
                    return;
                }

                if (frequency is < 0 or > 255)
                {
                    context.WriteError("ERR Invalid FREQ value, must be >= 0 and <= 255"u8);
                    return;
                }
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }

        var key = context.Argument(1);
        if (!replace && context.Store.Exists(key))
        {
            context.WriteError(BusyKey);
            return;
        }

        if (!context.TryGetInt64OrReply(2, out var ttl))
        {
            return;
        }

        if (ttl < 0)
        {
            context.WriteError(MigrationCommands.InvalidTtl);
            return;
        }

        var status = RestorePayload.TryRead(context.Argument(3), context.Store.Encodings, out var text, out var collection);
        if (status != RestoreReadStatus.Read)
        {
            context.WriteError(status == RestoreReadStatus.VersionOrChecksum
                ? "ERR DUMP payload version or checksum are wrong"u8
                : MigrationCommands.BadPayload);
            return;
        }

        // As Redis: a relative TTL that overflows the clock comes out in the past, so nothing is stored.
        var now = context.Store.Now;
        var expiresAt = ttl == 0 ? NoExpiry : absoluteTtl ? ttl : unchecked(ttl + now);
        if (expiresAt == NoExpiry && ttl != 0)
        {
            expiresAt = -1;
        }

        var result = context.Store.Restore(key, text, collection, expiresAt, replace, idleSeconds, (int)frequency);
        switch (result)
        {
            case RestoreResult.KeyExists:
                context.WriteError(BusyKey);
                return;
            case RestoreResult.ExpiredReplaced:
                context.Aof.Delete(key);
                break;
            case RestoreResult.Stored when collection is not null:
                context.Aof.Replaced(key, collection);
                if (expiresAt != NoExpiry)
                {
                    context.Aof.ExpireAt(key, expiresAt, now);
                }

                break;
            case RestoreResult.Stored:
                context.Aof.Set(key, text, expiresAt);
                break;
        }

        context.Output.WriteRaw(RespConstants.Ok);
    }

    // What the store takes as "no expiry".
    private const long NoExpiry = 0;

    private static ReadOnlySpan<byte> BusyKey => "BUSYKEY Target key name already exists."u8;
}
