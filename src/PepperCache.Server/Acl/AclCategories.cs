using PepperCache.Server.Commands;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Acl;

/// <summary>
/// Redis's ACL command categories, in Redis's order (ACL CAT lists them so, and the ACL LIST description tries them
/// so). A command's categories are a bit mask over this order, computed from the command table: the same
/// categories COMMAND INFO reports.
/// </summary>
internal static class AclCategories
{
    public static readonly string[] Names =
    [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ];

    /// <summary>The bit of category <paramref name="name"/> (ASCII case-insensitive, without "@"), or 0 when there is none.</summary>
    public static ulong Bit(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (name.Equals(Names[i], StringComparison.OrdinalIgnoreCase))
            {
                return 1UL << i;
            }
        }

        return 0;
    }

    /// <summary>The categories of <paramref name="command"/> as a mask.</summary>
    public static ulong Of(CommandDefinition command)
    {
        var mask = 0UL;
        foreach (var name in CommandCommands.Categories(command))
        {
            mask |= Bit(name);
        }

        return mask;
    }
}
