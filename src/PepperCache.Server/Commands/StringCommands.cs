using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>String commands: GET, SET and their relatives.</summary>
internal static class StringCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("get", 2, ReadOnly | Fast, 1, 1, 1, Get, "string", "Returns the string value of a key."),
        new("set", -3, Write | DenyOom, 1, 1, 1, Set, "string", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."),
    ];

    public static void Get(CommandContext context)
    {
        if (context.Store.TryGet(context.Argument(1), out var value))
        {
            context.Client.KeyspaceHits++;
            context.Output.WriteBulkString(value.Span);
        }
        else
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteNullBulkString();
        }
    }

    public static void Set(CommandContext context)
    {
        if (context.ArgumentCount == 3)
        {
            context.Store.Set(context.Argument(1), context.Argument(2));
            context.Output.WriteOk();
            return;
        }

        // Options (EX PX EXAT PXAT NX XX KEEPTTL GET) are parsed by the full implementation.
        context.WriteSyntaxError();
    }
}
