using PepperCache.Protocol;
using PepperCache.Server.Acl;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, and CLIENT (in <see cref="ClientCommands"/>).</summary>
internal static class ConnectionCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("ping", -1, Fast, 0, 0, 0, Ping, "connection", "Returns the server's liveliness response.") { Tips = ["request_policy:all_shards", "response_policy:all_succeeded"] },
        new("echo", 2, Fast | Stale | Loading, 0, 0, 0, Echo, "connection", "Returns the given string."),
        new("quit", -1, Fast | Stale | Loading | NoAuth | AllowBusy | NoScript, 0, 0, 0, Quit, "connection", "Closes the connection."),
        new("select", 2, Fast | Stale | Loading, 0, 0, 0, Select, "connection", "Changes the selected database.", "1.0.0"),
        new("hello", -1, NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, 0, 0, 0, Hello, "connection",
            "Handshakes with the Redis server.", "6.0.0"),
        new("auth", -2, NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, 0, 0, 0, Auth, "connection",
            "Authenticates the connection.", "1.0.0"),
        new("reset", 1, NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, 0, 0, 0, Reset, "connection",
            "Resets the connection.", "6.2.0"),
        ClientCommands.Definition,
    ];

    public static void Ping(CommandContext context)
    {
        switch (context.ArgumentCount)
        {
            case 1:
                context.Output.WriteRaw(RespConstants.Pong);
                break;
            case 2:
                context.Output.WriteBulkString(context.Argument(1));
                break;
            default:
                context.WriteWrongArgumentCount();
                break;
        }
    }

    public static void Echo(CommandContext context) => context.Output.WriteBulkString(context.Argument(1));

    public static void Quit(CommandContext context)
    {
        context.Output.WriteOk();
        context.Client.CloseAfterReply = true;
    }

    /// <summary>
    /// One database: index 0 is accepted; any other is out of range, as on a Redis started with <c>--databases 1</c>,
    /// or not allowed on a member of a cluster, as on a Redis Cluster node (Redis's selectCommand, in its order).
    /// </summary>
    public static void Select(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(1, out var index))
        {
            return;
        }

        if (index is < int.MinValue or > int.MaxValue)
        {
            context.WriteError(ErrorMessages.IntOutOfRange);
        }
        else if (index == 0)
        {
            context.Output.WriteOk();
        }
        else if (context.Server.Mode == "cluster")
        {
            context.WriteError("ERR SELECT is not allowed in cluster mode"u8);
        }
        else
        {
            context.WriteError(ErrorMessages.DbIndexOutOfRange);
        }
    }

    /// <summary>
    /// HELLO [protover [AUTH username password] [SETNAME clientname]]. 2 and 3 switch the connection's protocol
    /// (RESP2, RESP3), no version keeps it; the reply is the server's description as a map (a flat array in RESP2).
    /// Options are all checked before any takes effect, as in Redis.
    /// </summary>
    public static void Hello(CommandContext context)
    {
        var next = 1;
        long version = 0;
        if (context.ArgumentCount >= 2)
        {
            if (!context.TryGetInt64(1, out version))
            {
                context.WriteError(ErrorMessages.ProtocolVersionNotInteger);
                return;
            }

            if (version is not (2 or 3))
            {
                context.WriteError(ErrorMessages.NoProto);
                return;
            }

            next = 2;
        }

        var authAt = 0;
        var nameAt = 0;
        for (var i = next; i < context.ArgumentCount; i++)
        {
            var more = context.ArgumentCount - 1 - i;
            if (context.ArgumentIs(i, "AUTH"u8) && more >= 2)
            {
                authAt = i + 1;
                i += 2;
            }
            else if (context.ArgumentIs(i, "SETNAME"u8) && more >= 1)
            {
                if (!ClientCommands.IsValidName(context.Argument(i + 1)))
                {
                    context.WriteError(ErrorMessages.InvalidClientName);
                    return;
                }

                nameAt = i + 1;
                i++;
            }
            else
            {
                context.WriteError(ErrorMessages.HelloSyntax(context.Request.GetString(i)));
                return;
            }
        }

        if (authAt > 0 && !Authenticate(context, authAt))
        {
            context.WriteError(ErrorMessages.WrongPass);
            return;
        }

        // As Redis 7.0, the connection's own state decides (not whether a password is needed now).
        if (!context.Client.Authenticated)
        {
            context.WriteError(ErrorMessages.HelloNoAuth);
            return;
        }

        if (nameAt > 0)
        {
            ClientCommands.SetName(context.Client, context.Argument(nameAt));
        }

        if (version != 0)
        {
            context.Client.Resp3 = version == 3;
        }

        var output = context.Output;
        output.WriteMapHeader(7, context.Resp3);
        output.WriteBulkString("server"u8);
        output.WriteBulkString("redis"u8);
        output.WriteBulkString("version"u8);
        output.WriteBulkString(ServerState.RedisVersion);
        output.WriteBulkString("proto"u8);
        output.WriteInteger(context.Resp3 ? 3 : 2);
        output.WriteBulkString("id"u8);
        output.WriteInteger(context.Client.Id);
        output.WriteBulkString("mode"u8);
        output.WriteBulkString(context.Server.Mode);
        output.WriteBulkString("role"u8);
        output.WriteBulkString("master"u8);
        output.WriteBulkString("modules"u8);
        output.WriteRaw(RespConstants.EmptyArray);
    }

    /// <summary>
    /// AUTH [username] password. The one-argument form is for the default user, and as in Redis it is an error
    /// (not a WRONGPASS) while the default user has no password.
    /// </summary>
    public static void Auth(CommandContext context)
    {
        switch (context.ArgumentCount)
        {
            case 2 when context.Server.Acl.DefaultUser.Rules.NoPass:
                context.WriteError(ErrorMessages.AuthWithoutPassword);
                break;
            case 2 or 3 when Authenticate(context, context.ArgumentCount - 2):
                context.Output.WriteOk();
                break;
            case 2 or 3:
                context.WriteError(ErrorMessages.WrongPass);
                break;
            default:
                context.WriteSyntaxError();
                break;
        }
    }

    /// <summary>
    /// RESET: back to a fresh connection's state: no name, database 0, and the default user, authenticated only if
    /// it needs no password (so with requirepass set the client must AUTH again, as in Redis).
    /// </summary>
    public static void Reset(CommandContext context)
    {
        var client = context.Client;
        client.Name = null;
        client.Resp3 = false;
        // As Redis's clearClientConnectionState: OFF and a SKIP to come end; a SKIP in force silences this +RESET.
        if (client.Replies is ReplyMode.Off or ReplyMode.SkipNext)
        {
            client.Replies = ReplyMode.On;
            context.RestoreReplies();
        }

        ServerCommands.StopMonitoring(context);
        if (client.User is not null)
        {
            var acl = context.Server.Acl;
            client.User = acl.DefaultUser;
            client.Authenticated = !acl.AuthRequired;
        }

        context.Output.WriteSimpleString("RESET"u8);
    }

    /// <summary>
    /// Checks the user and password at <paramref name="userAt"/> and the argument after it (userAt 0: the default
    /// user, password at 1). On success the connection becomes that user; on failure the attempt goes to ACL LOG.
    /// </summary>
    private static bool Authenticate(CommandContext context, int userAt)
    {
        var acl = context.Server.Acl;
        var name = userAt == 0 ? AclState.DefaultUserName : AclText.From(context.Argument(userAt));
        var client = context.Client;
        if (acl.CheckCredentials(name, context.Argument(userAt + 1)) is { } user)
        {
            client.User = user;
            client.Authenticated = true;
            return true;
        }

        acl.Log.Add(AclLogReason.Auth, AclText.From(context.Argument(0)), name, client, context.Store.Now);
        return false;
    }
}
