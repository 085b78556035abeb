using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Acl;
using PepperCache.Server.Cluster;
using PepperCache.Server.Commands;

namespace PepperCache.Server.Resp;

/// <summary>
/// Runs one parsed command: finds it in the table, checks arity, and calls its handler. The single place where
/// cross-cutting checks happen for every command: arity, authentication and ACL permissions (<see cref="AclGate"/>),
/// slot freezes during a migration (<see cref="SlotFreeze"/>),
/// cluster routing (<see cref="SlotRouting"/>: MOVED and CROSSSLOT once the cluster has two members), and AOF
/// logging of write commands.
/// </summary>
internal sealed class CommandDispatcher(CommandTable table, ClusterState? cluster = null)
{
    public CommandTable Table { get; } = table;

    /// <summary>Membership and slot ownership; null only in tests that build a dispatcher without a node.</summary>
    public ClusterState? Cluster { get; } = cluster;

    public void Execute(CommandContext context)
    {
        var request = context.Request;
        var client = context.Client;
        client.CommandsProcessed++;
        if (!Table.TryGet(request.Name, out var command))
        {
            context.WriteError(UnknownCommand(request));
            return;
        }

        context.Command = command;
        client.LastCommand = command.Name;
        if (!command.AcceptsArgumentCount(request.Count))
        {
            context.WriteError(ErrorMessages.WrongArgumentCount(command.Name));
            return;
        }

        // Authentication and permissions first, as Redis: before slot routing, freezes and memory limits.
        if (!client.Authenticated && context.Server.Acl.AuthRequired && !AclGate.AdmitUnauthenticated(context, command))
        {
            return;
        }

        if (client.User is { } user && user.Rules is { PermitsAll: false } rules && !AclGate.Admit(context, command, rules))
        {
            return;
        }

        if (command.HasKeys && !SlotFreeze.Admit(context, command))
        {
            // Not run yet: it is counted when it is dispatched again, after the move (ASKING still applies then).
            client.CommandsProcessed--;
            return;
        }

        if (command.HasKeys && Cluster?.Snapshot is { Routing: true } snapshot && !SlotRouting.Allows(context, command, snapshot))
        {
            client.Asking = false;
            return;
        }

        if (context.Store.IsOverMemoryLimit && !MemoryGuard.Admit(context, command))
        {
            return;
        }

        if (command.IsWrite && context.Aof.Log.IsRecording)
        {
            context.Aof.Log.Execute(command, context);
        }
        else
        {
            Run(command, context);
        }

        if (command.IsWrite && context.Server.Blocking.HasWaiters)
        {
            // A write may have given a blocked client its element (LPUSH, LMOVE's destination, RENAME onto a key).
            context.Server.Blocking.SignalKeys(context, command);
        }

        // ASKING lasts for the one command after it, as in Redis.
        client.Asking = ReferenceEquals(command, ClusterCommands.Asking);
    }

    /// <summary>
    /// Calls the handler. A store operation that meets a key of another type throws before it changes anything;
    /// that becomes the WRONGTYPE reply here, for every command at once.
    /// </summary>
    internal static void Run(CommandDefinition command, CommandContext context)
    {
        try
        {
            command.Handler(context);
        }
        catch (WrongTypeException)
        {
            context.WriteError(ErrorMessages.WrongType);
        }
    }

    /// <summary>
    /// Redis's text, byte for byte: <c>unknown command '%.128s', with args beginning with: </c> and then <c>'%.*s' </c>
    /// per argument while that list is under 128 bytes, each cut to what is left of the 128. As C strings, the name
    /// and each argument end at a NUL byte; CR and LF become spaces (an error is one line). Bytes, not text: an
    /// argument cut inside a UTF-8 character is echoed cut, as Redis does.
    /// </summary>
    internal static byte[] UnknownCommand(RespRequest request)
    {
        const int Limit = 128;
        var text = new List<byte>(Limit * 3);
        text.AddRange("ERR unknown command '"u8);
        AppendCString(text, request[0], Limit);
        text.AddRange("', with args beginning with: "u8);
        var argsStart = text.Count;
        for (var i = 1; i < request.Count && text.Count - argsStart < Limit; i++)
        {
            text.Add((byte)'\'');
            AppendCString(text, request[i], Limit - (text.Count - 1 - argsStart));
            text.AddRange("' "u8);
        }

        var bytes = text.ToArray();
        bytes.AsSpan().Replace((byte)'\r', (byte)' ');
        bytes.AsSpan().Replace((byte)'\n', (byte)' ');
        return bytes;
    }

    /// <summary>printf's <c>%.*s</c>: at most <paramref name="max"/> bytes, stopping at a NUL.</summary>
    private static void AppendCString(List<byte> text, ReadOnlySpan<byte> value, int max)
    {
        var nul = value.IndexOf((byte)0);
        var end = Math.Min(nul < 0 ? value.Length : nul, Math.Max(0, max));
        text.AddRange(value[..end]);
    }
}
