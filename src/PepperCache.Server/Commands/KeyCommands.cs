using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>Keyspace commands: DEL, EXISTS, EXPIRE family, TTL family, KEYS, SCAN, RENAME...</summary>
internal static class KeyCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("del", -2, Write, 1, -1, 1, Del, "generic", "Deletes one or more keys."),
        new("exists", -2, ReadOnly | Fast, 1, -1, 1, Exists, "generic", "Determines whether one or more keys exist."),
    ];

    public static void Del(CommandContext context)
    {
        long removed = 0;
        for (var i = 1; i < context.ArgumentCount; i++)
        {
            if (context.Store.Delete(context.Argument(i)))
            {
                removed++;
            }
        }

        context.Output.WriteInteger(removed);
    }

    public static void Exists(CommandContext context)
    {
        long found = 0;
        for (var i = 1; i < context.ArgumentCount; i++)
        {
            if (context.Store.Exists(context.Argument(i)))
            {
                found++;
            }
        }

        context.Output.WriteInteger(found);
    }
}
