using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>CLIENT PAUSE, UNPAUSE, REPLY and NO-EVICT: what changes how the node treats connections.</summary>
internal static partial class ClientCommands
{
    /// <summary>
    /// CLIENT PAUSE timeout [WRITE|ALL], as Redis 7.0: the mode is checked before the timeout; the timeout is
    /// milliseconds added to now as a C long long, so one past LLONG_MAX - now wraps into the past and the pause
    /// ends at once (Redis 7.0 takes it the same way).
    /// </summary>
    private static void Pause(CommandContext context)
    {
        if (context.ArgumentCount > 4)
        {
            WriteUnknownSubcommand(context);
            return;
        }

        var mode = PauseMode.All;
        if (context.ArgumentCount == 4)
        {
            if (context.ArgumentIs(3, "WRITE"u8))
            {
                mode = PauseMode.Write;
            }
            else if (!context.ArgumentIs(3, "ALL"u8))
            {
                context.WriteError("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }

        if (!TryGetMilliseconds(context, 2, out var timeout))
        {
            return;
        }

        var now = context.Store.Now;
        context.Server.Pause.Pause(mode, unchecked(now + timeout), now);
        context.Output.WriteOk();
    }

    private static void Unpause(CommandContext context)
    {
        context.Server.Pause.Unpause();
        context.Output.WriteOk();
    }

    /// <summary>CLIENT REPLY ON|OFF|SKIP: OFF and SKIP answer nothing themselves; SKIP under OFF changes nothing.</summary>
    private static void Reply(CommandContext context)
    {
        var client = context.Client;
        if (context.ArgumentIs(2, "ON"u8))
        {
            client.Replies = ReplyMode.On;
            context.RestoreReplies();
            context.Output.WriteOk();
        }
        else if (context.ArgumentIs(2, "OFF"u8))
        {
            client.Replies = ReplyMode.Off;
            context.SilenceReplies();
        }
        else if (context.ArgumentIs(2, "SKIP"u8))
        {
            if (client.Replies != ReplyMode.Off)
            {
                client.Replies = ReplyMode.SkipNext;
            }
        }
        else
        {
            context.WriteSyntaxError();
        }
    }

    /// <summary>CLIENT NO-EVICT ON|OFF: kept and shown in CLIENT LIST; PepperCache never closes a client to free memory.</summary>
    private static void NoEvict(CommandContext context)
    {
        if (context.ArgumentIs(2, "ON"u8))
        {
            context.Client.NoEvict = true;
        }
        else if (context.ArgumentIs(2, "OFF"u8))
        {
            context.Client.NoEvict = false;
        }
        else
        {
            context.WriteSyntaxError();
            return;
        }

        context.Output.WriteOk();
    }

    /// <summary>Redis's getTimeoutFromObjectOrReply in milliseconds (CLIENT PAUSE, WAIT): 0 or more.</summary>
    internal static bool TryGetMilliseconds(CommandContext context, int index, out long milliseconds)
    {
        if (!context.TryGetInt64(index, out milliseconds))
        {
            context.WriteError("ERR timeout is not an integer or out of range");
            return false;
        }

        if (milliseconds < 0)
        {
            context.WriteError("ERR timeout is negative");
            return false;
        }

        return true;
    }

    /// <summary>Redis's addReplySubcommandSyntaxError: the subcommand as the client wrote it, cut to 128 bytes.</summary>
    private static void WriteUnknownSubcommand(CommandContext context)
    {
        var name = Encoding.Latin1.GetString(context.Argument(1)[..Math.Min(128, context.Argument(1).Length)]);
        context.WriteError($"ERR unknown subcommand or wrong number of arguments for '{name}'. Try CLIENT HELP.");
    }
}
