using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.
internal static partial class KeyCommands
{
    [Flags]
    private enum ExpireFlags
    {
        None = 0,
        Nx = 1 << 0,
        Xx = 1 << 1,
        Gt = 1 << 2,
        Lt = 1 << 3,
    }

    public static void Expire(CommandContext context) => Expire(context, relative: true, seconds: true);

    public static void PExpire(CommandContext context) => Expire(context, relative: true, seconds: false);

    public static void ExpireAt(CommandContext context) => Expire(context, relative: false, seconds: true);

    public static void PExpireAt(CommandContext context) => Expire(context, relative: false, seconds: false);

    public static void Ttl(CommandContext context) => WriteExpiry(context, absolute: false, milliseconds: false);

    public static void PTtl(CommandContext context) => WriteExpiry(context, absolute: false, milliseconds: true);

    public static void ExpireTime(CommandContext context) => WriteExpiry(context, absolute: true, milliseconds: false);

    public static void PExpireTime(CommandContext context) => WriteExpiry(context, absolute: true, milliseconds: true);

    public static void Persist(CommandContext context)
    {
        var persisted = context.Store.Persist(context.Argument(1));
        if (persisted)
        {
            context.Aof.Persist(context.Argument(1));
        }

        context.Output.WriteRaw(persisted ? RespConstants.One : RespConstants.Zero);
    }

    /// <summary>
    /// Redis's expireGenericCommand: options first, then the time (negative times are allowed and delete the key;
    /// only overflow in the unit conversion or the addition of the base time is an error), then the key.
    /// </summary>
    private static void Expire(CommandContext context, bool relative, bool seconds)
    {
        if (!TryParseExpireFlags(context, out var flags) || !context.TryGetInt64OrReply(2, out var when))
        {
            return;
        }

        if (seconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
            {
                context.WriteError(ErrorMessages.InvalidExpireTime(context.Command.Name));
                return;
            }

            when *= 1000;
        }

        var baseTime = relative ? context.Store.Now : 0;
        if (when > long.MaxValue - baseTime)
        {
            context.WriteError(ErrorMessages.InvalidExpireTime(context.Command.Name));
            return;
        }

        // Every time at or before now deletes the key, and compares the same way against a live key's (future)
        // expiry, so clamping keeps the meaning while keeping 0 and negatives away from the store's sentinels.
        var expiresAt = Math.Max(1, when + baseTime);
        ExpireCondition condition;
        if ((flags & ExpireFlags.Nx) != 0)
        {
            condition = ExpireCondition.IfNoExpiry;
        }
        else if ((flags & ExpireFlags.Gt) != 0)
        {
            // GT already fails on a key without expiry, so XX adds nothing to it.
            condition = ExpireCondition.IfGreater;
        }
        else if ((flags & ExpireFlags.Lt) != 0)
        {
            // LT alone treats "no expiry" as infinite and succeeds; with XX such a key must be refused.
            condition = (flags & ExpireFlags.Xx) != 0 ? ExpireCondition.IfHasExpiryAndLess : ExpireCondition.IfLess;
        }
        else
        {
            condition = (flags & ExpireFlags.Xx) != 0 ? ExpireCondition.IfHasExpiry : ExpireCondition.Always;
        }

        var set = context.Store.SetExpiry(context.Argument(1), expiresAt, condition);
        if (set)
        {
            context.Aof.ExpireAt(context.Argument(1), expiresAt, context.Store.Now);
        }

        context.Output.WriteRaw(set ? RespConstants.One : RespConstants.Zero);
    }

    private static bool TryParseExpireFlags(CommandContext context, out ExpireFlags flags)
    {
        flags = ExpireFlags.None;
        for (var i = 3; i < context.ArgumentCount; i++)
        {
            if (context.ArgumentIs(i, "NX"u8))
            {
                flags |= ExpireFlags.Nx;
            }
            else if (context.ArgumentIs(i, "XX"u8))
            {
                flags |= ExpireFlags.Xx;
            }
            else if (context.ArgumentIs(i, "GT"u8))
            {
                flags |= ExpireFlags.Gt;
            }
            else if (context.ArgumentIs(i, "LT"u8))
            {
                flags |= ExpireFlags.Lt;
            }
            else
            {
                context.WriteError(ErrorMessages.UnsupportedOption(Printable(context.Argument(i))));
                return false;
            }
        }

        if ((flags & ExpireFlags.Nx) != 0 && (flags & (ExpireFlags.Xx | ExpireFlags.Gt | ExpireFlags.Lt)) != 0)
        {
            context.WriteError(ErrorMessages.ExpireNxConflict);
            return false;
        }

        if ((flags & (ExpireFlags.Gt | ExpireFlags.Lt)) == (ExpireFlags.Gt | ExpireFlags.Lt))
        {
            context.WriteError(ErrorMessages.ExpireGtLtConflict);
            return false;
        }

        return true;
    }

    /// <summary>TTL family: -2 missing, -1 no expiry; seconds are rounded to nearest as Redis does ((ms + 500) / 1000).</summary>
    private static void WriteExpiry(CommandContext context, bool absolute, bool milliseconds)
    {
        var expiresAt = context.Store.GetExpiresAt(context.Argument(1));
        if (expiresAt == -2)
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteRaw(RespConstants.MinusTwo);
            return;
        }

        context.Client.KeyspaceHits++;
        if (expiresAt == -1)
        {
            context.Output.WriteRaw(RespConstants.MinusOne);
            return;
        }

        var value = Math.Max(0, absolute ? expiresAt : expiresAt - context.Store.Now);
        // Written so that a time near long.MaxValue rounds without overflowing.
        context.Output.WriteInteger(milliseconds ? value : (value / 1000) + ((value % 1000) + 500) / 1000);
    }

    /// <summary>An argument as error text: error lines cannot carry CR or LF, so Redis turns them into spaces.</summary>
    private static string Printable(ReadOnlySpan<byte> argument) =>
        Encoding.UTF8.GetString(argument).Replace('\r', ' ').Replace('\n', ' ');
}
