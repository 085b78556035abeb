using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Acl;

/// <summary>
/// The dispatcher's authentication and permission checks, made once per command after the arity check and before
/// anything else (slot routing, memory limits), in Redis's order. A container's subcommand is resolved first, since
/// permissions are per subcommand (<c>+config|get</c>); a subcommand that does not exist or has the wrong number
/// of arguments is let through, for the container to answer with Redis's error, as Redis answers those before NOAUTH.
/// </summary>
internal static class AclGate
{
    public static ReadOnlySpan<byte> NoAuth => "NOAUTH Authentication required."u8;

    public static ReadOnlySpan<byte> NoPermissionKey => "NOPERM this user has no permissions to access one of the keys used as arguments"u8;

    /// <summary>For a connection that has not authenticated while the default user needs a password.</summary>
    public static bool AdmitUnauthenticated(CommandContext context, CommandDefinition command)
    {
        var effective = Resolve(command, context.Request);
        if (effective is null || (effective.Flags & CommandFlags.NoAuth) != 0)
        {
            return true;
        }

        context.Client.LastCommand = effective.Name;
        context.WriteError(NoAuth);
        return false;
    }

    /// <summary>For a user whose rules restrict commands or keys: writes NOPERM and logs the refusal when denied.</summary>
    public static bool Admit(CommandContext context, CommandDefinition command, AclRules rules)
    {
        var effective = Resolve(command, context.Request);
        if (effective is null)
        {
            return true;
        }

        var verdict = AclCheck.Check(rules, effective, new ArgumentView(context.Request, 0), out var index);
        if (verdict == AclVerdict.Allowed)
        {
            return true;
        }

        var acl = context.Server.Acl;
        var client = context.Client;
        client.LastCommand = effective.Name;
        var user = client.User?.Name ?? AclState.DefaultUserName;
        if (verdict == AclVerdict.DeniedCommand)
        {
            acl.Log.Add(AclLogReason.Command, effective.Name, user, client, context.Store.Now);
            context.WriteError($"NOPERM this user has no permissions to run the '{effective.Name}' command");
        }
        else
        {
            acl.Log.Add(AclLogReason.Key, AclText.From(context.Request[index]), user, client, context.Store.Now);
            context.WriteError(NoPermissionKey);
        }

        return false;
    }

    /// <summary>The subcommand a container is called with, the command itself otherwise; null when the subcommand is unknown or its arity wrong.</summary>
    internal static CommandDefinition? Resolve(CommandDefinition command, Protocol.RespRequest request)
    {
        if (command.Subcommands.Count == 0 || request.Count < 2)
        {
            return command;
        }

        var subcommand = Subcommands.Find(command, request[1]);
        return subcommand is not null && subcommand.AcceptsArgumentCount(request.Count) ? subcommand : null;
    }
}
