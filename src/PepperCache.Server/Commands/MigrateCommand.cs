using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 username password]
/// [KEYS key ...], as Redis 7.0's migrateCommand: DUMP of each existing key, sent as RESTORE (after AUTH and SELECT)
/// to the target in one write, replies read in order; without COPY the keys the target accepted are deleted here.
/// </summary>
/// <remarks>
/// No thread waits for the target: the first run dumps the keys, starts <see cref="MigrateTransfer"/> and hands its
/// task to the connection (<see cref="CommandContext.SlotWait"/>); the connection runs the command again when it is
/// done, and that run deletes and answers. The connection to the target is kept for the next call as Redis keeps it
/// (<see cref="MigrateSocketCache"/>), so SELECT goes once per connection, and AUTH with every call.
/// AOF: only the deletion, as DEL of each key deleted, as Redis rewrites the command for propagation.
/// </remarks>
internal static class MigrateCommand
{
    public static CommandDefinition Definition { get; } =
        new("migrate", -6, Write, 3, 3, 1, Migrate, "generic", "Atomically transfer a key from a Redis instance to another one.", "2.6.0")
        {
            // As Redis: what it sends can hold anything, so -@dangerous forbids it.
            AclCategories = ["dangerous"],
            Tips = ["nondeterministic_output"],
            KeySpecs =
            [
                new KeySpec { Index = 3, LastKey = 0, Flags = ["RW", "access", "delete"], GetKeys = KeyArgument },
                new KeySpec { Keyword = "KEYS", StartFrom = -2, LastKey = -1, Flags = ["RW", "access", "delete", "incomplete"], GetKeys = KeysAfterKeyword },
            ],
        };

    /// <summary>Redis's default when the timeout is 0 or less (ms).</summary>
    private const long DefaultTimeout = 1000;

    private static void Migrate(CommandContext context)
    {
        if (context.Client.Migration is { } pending)
        {
            context.Client.Migration = null;
            // The run after the transfer: counted again by the dispatcher, so one more than when it was held.
            if (pending.Transfer.IsCompleted && pending.Sequence + 1 == context.Client.CommandsProcessed)
            {
                Finish(context, pending.Transfer.Result);
                return;
            }
        }

        if (!TryParse(context, out var job))
        {
            return;
        }

        var store = context.Store;
        var now = store.Now;
        var keys = new List<MigrateKey>();
        var found = 0;
        for (var i = job.FirstKey; i <= job.LastKey; i++)
        {
            var key = context.Argument(i);
            var payload = store.Dump(key);
            if (payload is null)
            {
                context.Client.KeyspaceMisses++;
                continue;
            }

            context.Client.KeyspaceHits++;
            found++;
            // As Redis: a key that expired since it was found is skipped; one about to expire is sent with 1 ms.
            var expiresAt = store.GetExpiresAt(key);
            var ttl = expiresAt == -1 ? 0 : Math.Max(1, expiresAt - now);
            if (expiresAt != -2 && (expiresAt == -1 || expiresAt - now >= 0))
            {
                keys.Add(new MigrateKey(key.ToArray(), ttl, payload, expiresAt));
            }
        }

        if (found == 0)
        {
            context.Output.WriteSimpleString("NOKEY"u8);
            return;
        }

        job.Keys = keys;
        var transfer = MigrateTransfer.RunAsync(job, context.Server.MigrateSockets, store.TimeProvider);
        // Counted once, when it answers, as a blocked command is.
        context.Client.CommandsProcessed--;
        context.Client.Migration = (transfer, context.Client.CommandsProcessed);
        context.SlotWait = transfer;
    }

    /// <summary>The run after the transfer: deletes what the target took (without COPY), then answers as Redis.</summary>
    private static void Finish(CommandContext context, MigrateOutcome outcome)
    {
        if (outcome.Failure == MigrateFailure.Connecting)
        {
            context.WriteError("IOERR error or timeout connecting to the client"u8);
            return;
        }

        if (!outcome.Copy)
        {
            foreach (var key in outcome.Accepted)
            {
                // A key another client changed while the target was busy stays: its new value is only here.
                if (context.Store.DeleteIfDumpIs(key.Name, key.Payload, key.ExpiresAt))
                {
                    context.Aof.Delete(key.Name);
                }
            }
        }

        if (outcome.TargetError is { } error)
        {
            context.WriteError("ERR Target instance replied with error: " + error);
        }
        else if (outcome.Failure != MigrateFailure.None)
        {
            context.WriteError(outcome.Failure == MigrateFailure.Writing
                ? "IOERR error or timeout writing to target instance"u8
                : "IOERR error or timeout reading to target instance"u8);
        }
        else
        {
            context.Output.WriteRaw(RespConstants.Ok);
        }
    }

    /// <summary>The options, then the timeout and the db, in Redis's order and with its errors.</summary>
    private static bool TryParse(CommandContext context, out MigrateJob job)
    {
        job = null!;
        var copy = false;
        var replace = false;
        byte[]? username = null;
        byte[]? password = null;
        var firstKey = 3;
        for (var j = 6; j < context.ArgumentCount; j++)
        {
            var more = context.ArgumentCount - 1 - j;
            if (context.ArgumentIs(j, "copy"u8))
            {
                copy = true;
            }
            else if (context.ArgumentIs(j, "replace"u8))
            {
                replace = true;
            }
            else if (context.ArgumentIs(j, "auth"u8) && more >= 1)
            {
                password = context.Argument(++j).ToArray();
            }
            else if (context.ArgumentIs(j, "auth2"u8) && more >= 2)
            {
                username = context.Argument(++j).ToArray();
                password = context.Argument(++j).ToArray();
            }
            else if (context.ArgumentIs(j, "keys"u8))
            {
                if (context.Argument(3).Length != 0)
                {
                    context.WriteError("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"u8);
                    return false;
                }

                firstKey = j + 1;
                break;
            }
            else
            {
                context.WriteSyntaxError();
                return false;
            }
        }

        if (!context.TryGetInt64OrReply(5, out var timeout) || !context.TryGetInt64OrReply(4, out var db))
        {
            return false;
        }

        job = new MigrateJob
        {
            Host = Encoding.UTF8.GetString(context.Argument(1)),
            Port = Atoi(context.Argument(2)),
            PortText = Encoding.UTF8.GetString(context.Argument(2)),
            Db = db,
            Timeout = TimeSpan.FromMilliseconds(timeout <= 0 ? DefaultTimeout : Math.Min(timeout, int.MaxValue)),
            Copy = copy,
            Replace = replace,
            Username = username,
            Password = password,
            FirstKey = firstKey,
            // Without KEYS, only the key argument.
            LastKey = firstKey == 3 ? 3 : context.ArgumentCount - 1,
        };
        return true;
    }

    /// <summary>C's atoi, which Redis reads the port with: leading digits after an optional sign, 0 when none.</summary>
    private static long Atoi(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        var negative = i < text.Length && text[i] == '-';
        if (i < text.Length && text[i] is (byte)'-' or (byte)'+')
        {
            i++;
        }

        long value = 0;
        for (; i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9' && value < int.MaxValue; i++)
        {
            value = (value * 10) + (text[i] - '0');
        }

        return negative ? -value : value;
    }

    /// <summary>
    /// Where the keys are, as Redis 7.0 finds them: by the declared specs (the key argument; KEYS searched backwards
    /// from the last but one argument) when that search finds no KEYS; when it does, the specs are incomplete and
    /// Redis asks migrateGetKeys (<see cref="KeysByRedisRule"/>) instead. 3 means the key argument; null: invalid.
    /// </summary>
    private static int? KeysStart(ArgumentView arguments)
    {
        for (var i = arguments.Count - 2; i > 0; i--)
        {
            if (Ascii.EqualsIgnoreCase(arguments[i], "keys"u8))
            {
                return KeysByRedisRule(arguments);
            }
        }

        return 3;
    }

    /// <summary>Redis's migrateGetKeys: the keys after the first KEYS (<see cref="WalkOptions"/>); 3 without one.</summary>
    private static int? KeysByRedisRule(ArgumentView arguments)
    {
        var keys = WalkOptions(arguments, -1, out _);
        if (keys < 0)
        {
            return 3;
        }

        // A non-empty key argument, or no key after KEYS: no keys at all, as Redis's proc returns none.
        return arguments[3].Length > 0 || keys + 1 >= arguments.Count ? null : keys + 1;
    }

    /// <summary>
    /// Whether argument <paramref name="index"/> is a credential MONITOR and SLOWLOG must not show (AUTH's password,
    /// AUTH2's user and password), as Redis's migrateCommand redacts them.
    /// </summary>
    internal static bool IsCredential(RespRequest request, int index)
    {
        WalkOptions(new ArgumentView(request, 0), index, out var credential);
        return credential;
    }

    /// <summary>
    /// Redis's walk over MIGRATE's options from argument 6: AUTH takes one value, AUTH2 two, and KEYS ends them.
    /// Returns the index of KEYS, or -1; <paramref name="credential"/> says whether argument <paramref name="probe"/>
    /// is one of AUTH's or AUTH2's values.
    /// </summary>
    private static int WalkOptions(ArgumentView arguments, int probe, out bool credential)
    {
        credential = false;
        for (var i = 6; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (Ascii.EqualsIgnoreCase(argument, "keys"u8))
            {
                return i;
            }

            var values = Ascii.EqualsIgnoreCase(argument, "auth"u8) ? 1 : Ascii.EqualsIgnoreCase(argument, "auth2"u8) ? 2 : 0;
            credential |= probe > i && probe <= i + values;
            i += values;
        }

        return -1;
    }

    private static KeyRange KeyArgument(ArgumentView arguments) => KeysStart(arguments) switch
    {
        null => KeyRange.Invalid,
        3 => new KeyRange(3, 3, 1),
        _ => KeyRange.None,
    };

    private static KeyRange KeysAfterKeyword(ArgumentView arguments) => KeysStart(arguments) switch
    {
        null => KeyRange.Invalid,
        3 => KeyRange.None,
        var first => new KeyRange(first.Value, arguments.Count - 1, 1),
    };
}
