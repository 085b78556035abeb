using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// SET and the commands that share its option grammar or expiry rules: SETNX, SETEX, PSETEX, GETEX.
internal static partial class StringCommands
{
    [Flags]
    private enum SetOptions
    {
        None = 0,
        Nx = 1 << 0,
        Xx = 1 << 1,
        Get = 1 << 2,
        KeepTtl = 1 << 3,
        Persist = 1 << 4,
        Ex = 1 << 5,
        Px = 1 << 6,
        ExAt = 1 << 7,
        PxAt = 1 << 8,
    }

    /// <summary>
    /// SET reads the value it replaces only with GET: Redis's key spec is then RW ACCESS UPDATE, otherwise OW UPDATE,
    /// so a user with only <c>%W~</c> on the key may SET it but not SET ... GET it. Any argument after the value
    /// spelled GET counts, as in Redis's <c>setGetKeys</c>.
    /// </summary>
    internal static KeyAccess SetKeyAccess(ArgumentView arguments)
    {
        for (var i = 3; i < arguments.Count; i++)
        {
            if (Ascii.EqualsIgnoreCase(arguments[i], "GET"u8))
            {
                return KeyAccess.ReadWrite;
            }
        }

        return KeyAccess.Write;
    }

    private enum ExpireTimeStatus
    {
        Valid,
        NotInteger,
        Invalid,
    }

    /// <summary>SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL].</summary>
    public static void Set(CommandContext context)
    {
        var key = context.Argument(1);
        var value = context.Argument(2);
        if (context.ArgumentCount == 3)
        {
            // A large value arrives in an array of its own with room for the entry's header and key in front: kept
            // as the entry rather than copied (the connection sets RespRequest.LargeArgumentHeadroom).
            if (context.Request.TryGetOwnArray(2, out var array, out var start) && start == KeyValueStore.ValueOffset(key.Length))
            {
                context.Store.SetInPlace(key, array);
            }
            else
            {
                context.Store.Set(key, value);
            }

            context.Aof.Request(context.Request);
            context.Output.WriteOk();
            return;
        }

        if (!TryParseOptions(context, 3, forSet: true, out var options, out var expireIndex))
        {
            return;
        }

        long expiresAt = 0;
        if (expireIndex > 0)
        {
            var status = ComputeExpiresAt(context, expireIndex, options, out expiresAt);
            if (status != ExpireTimeStatus.Valid)
            {
                WriteExpireTimeError(context, status);
                return;
            }
        }

        var condition = (options & SetOptions.Nx) != 0 ? SetCondition.IfNotExists
            : (options & SetOptions.Xx) != 0 ? SetCondition.IfExists
            : SetCondition.Always;
        var keepTtl = (options & SetOptions.KeepTtl) != 0;
        var written = context.Store.Set(key, value, expiresAt, condition, keepTtl, out var previous, (options & SetOptions.Get) != 0);
        if (written)
        {
            // Logged as its outcome: the expiry absolute, KEEPTTL as the kept time, NX/XX dropped since they held.
            context.Aof.Set(key, value, keepTtl ? (previous.HasValue ? previous.ExpiresAt : 0) : expiresAt);
        }

        if ((options & SetOptions.Get) != 0)
        {
            // With GET the reply is the old value whether or not NX/XX let the write happen.
            WriteValueOrNull(context, previous);
        }
        else if (written)
        {
            context.Output.WriteOk();
        }
        else
        {
            context.Output.WriteNull(context.Resp3);
        }
    }

    public static void SetNx(CommandContext context)
    {
        var written = context.Store.Set(context.Argument(1), context.Argument(2), 0, SetCondition.IfNotExists, keepTtl: false, out _);
        if (written)
        {
            context.Aof.Set(context.Argument(1), context.Argument(2), 0);
        }

        context.Output.WriteRaw(written ? RespConstants.One : RespConstants.Zero);
    }

    /// <summary>SETEX key seconds value.</summary>
    public static void SetEx(CommandContext context) => SetWithRelativeExpiry(context, SetOptions.Ex);

    /// <summary>PSETEX key milliseconds value.</summary>
    public static void PSetEx(CommandContext context) => SetWithRelativeExpiry(context, SetOptions.Px);

    /// <summary>GETEX key [EX s | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST].</summary>
    public static void GetEx(CommandContext context)
    {
        if (!TryParseOptions(context, 2, forSet: false, out var options, out var expireIndex))
        {
            return;
        }

        var key = context.Argument(1);
        long expiresAt = 0;
        if (expireIndex > 0)
        {
            var status = ComputeExpiresAt(context, expireIndex, options, out expiresAt);
            if (status != ExpireTimeStatus.Valid)
            {
                // Redis looks the key up and checks its type before it checks the time: a missing key answers nil
                // and another type WRONGTYPE, whatever the time says.
                if (context.Store.TypeOf(key) is not { } type)
                {
                    context.Client.KeyspaceMisses++;
                    context.Output.WriteNull(context.Resp3);
                    return;
                }

                context.Client.KeyspaceHits++;
                if (type != DataType.String)
                {
                    WrongTypeException.Throw();
                }

                WriteExpireTimeError(context, status);
                return;
            }
        }

        var persist = (options & SetOptions.Persist) != 0;
        if (context.Store.TryGetAndExpire(key, expiresAt, persist, out var value))
        {
            if (persist)
            {
                context.Aof.Persist(key);
            }
            else if (expiresAt != 0)
            {
                context.Aof.ExpireAt(key, expiresAt, context.Store.Now);
            }
        }

        WriteValueOrNull(context, value);
    }

    private static void SetWithRelativeExpiry(CommandContext context, SetOptions unit)
    {
        var status = ComputeExpiresAt(context, 2, unit, out var expiresAt);
        if (status != ExpireTimeStatus.Valid)
        {
            WriteExpireTimeError(context, status);
            return;
        }

        context.Store.Set(context.Argument(1), context.Argument(3), expiresAt);
        context.Aof.Set(context.Argument(1), context.Argument(3), expiresAt);
        context.Output.WriteOk();
    }

    /// <summary>
    /// Redis's parseExtendedStringArgumentsOrReply: an option is accepted only when nothing already given conflicts
    /// with it, otherwise (or when it is unknown, or EX and friends lack a value) the reply is a syntax error.
    /// Repeating an option is allowed; the last expiry value wins.
    /// </summary>
    private static bool TryParseOptions(CommandContext context, int first, bool forSet, out SetOptions options, out int expireIndex)
    {
        const SetOptions AnyExpiry = SetOptions.Ex | SetOptions.Px | SetOptions.ExAt | SetOptions.PxAt;
        options = SetOptions.None;
        expireIndex = 0;
        var count = context.ArgumentCount;
        for (var i = first; i < count; i++)
        {
            var hasValue = i + 1 < count;
            SetOptions option;
            SetOptions conflicts;
            if (forSet && context.ArgumentIs(i, "NX"u8))
            {
                (option, conflicts) = (SetOptions.Nx, SetOptions.Xx);
            }
            else if (forSet && context.ArgumentIs(i, "XX"u8))
            {
                (option, conflicts) = (SetOptions.Xx, SetOptions.Nx);
            }
            else if (forSet && context.ArgumentIs(i, "GET"u8))
            {
                (option, conflicts) = (SetOptions.Get, SetOptions.None);
            }
            else if (forSet && context.ArgumentIs(i, "KEEPTTL"u8))
            {
                (option, conflicts) = (SetOptions.KeepTtl, SetOptions.Persist | AnyExpiry);
            }
            else if (!forSet && context.ArgumentIs(i, "PERSIST"u8))
            {
                (option, conflicts) = (SetOptions.Persist, SetOptions.KeepTtl | AnyExpiry);
            }
            else if (hasValue && context.ArgumentIs(i, "EX"u8))
            {
                (option, conflicts) = (SetOptions.Ex, SetOptions.KeepTtl | SetOptions.Persist | (AnyExpiry & ~SetOptions.Ex));
            }
            else if (hasValue && context.ArgumentIs(i, "PX"u8))
            {
                (option, conflicts) = (SetOptions.Px, SetOptions.KeepTtl | SetOptions.Persist | (AnyExpiry & ~SetOptions.Px));
            }
            else if (hasValue && context.ArgumentIs(i, "EXAT"u8))
            {
                (option, conflicts) = (SetOptions.ExAt, SetOptions.KeepTtl | SetOptions.Persist | (AnyExpiry & ~SetOptions.ExAt));
            }
            else if (hasValue && context.ArgumentIs(i, "PXAT"u8))
            {
                (option, conflicts) = (SetOptions.PxAt, SetOptions.KeepTtl | SetOptions.Persist | (AnyExpiry & ~SetOptions.PxAt));
            }
            else
            {
                context.WriteSyntaxError();
                return false;
            }

            if ((options & conflicts) != 0)
            {
                context.WriteSyntaxError();
                return false;
            }

            options |= option;
            if ((option & AnyExpiry) != 0)
            {
                expireIndex = ++i;
            }
        }

        return true;
    }

    /// <summary>
    /// Redis's getExpireMillisecondsOrReply: the time must be positive, survive the conversion to milliseconds, and
    /// (for EX/PX) the addition of the current time, otherwise it is an invalid expire time.
    /// </summary>
    private static ExpireTimeStatus ComputeExpiresAt(CommandContext context, int index, SetOptions unit, out long expiresAt)
    {
        expiresAt = 0;
        if (!context.TryGetInt64(index, out var time))
        {
            return ExpireTimeStatus.NotInteger;
        }

        var seconds = (unit & (SetOptions.Ex | SetOptions.ExAt)) != 0;
        if (time <= 0 || (seconds && time > long.MaxValue / 1000))
        {
            return ExpireTimeStatus.Invalid;
        }

        if (seconds)
        {
            time *= 1000;
        }

        if ((unit & (SetOptions.Ex | SetOptions.Px)) != 0)
        {
            // An overflowing sum wraps negative, which the check below rejects, as in Redis.
            time = unchecked(time + context.Store.Now);
        }

        if (time <= 0)
        {
            return ExpireTimeStatus.Invalid;
        }

        expiresAt = time;
        return ExpireTimeStatus.Valid;
    }

    private static void WriteExpireTimeError(CommandContext context, ExpireTimeStatus status)
    {
        if (status == ExpireTimeStatus.NotInteger)
        {
            context.WriteError(ErrorMessages.NotInteger);
        }
        else if (context.Command.Name == "set")
        {
            context.WriteError(ErrorMessages.InvalidExpire);
        }
        else
        {
            context.WriteError(ErrorMessages.InvalidExpireTime(context.Command.Name));
        }
    }
}
