using System.Diagnostics;
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
/// cluster routing (<see cref="SlotRouting"/>: MOVED and CROSSSLOT once the cluster has two members, CLUSTERDOWN
/// before a joiner has joined), and AOF
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
            client.Counters.For(command).Rejected++;
            return;
        }

        // Authentication and permissions first, as Redis: before slot routing, freezes and memory limits.
        if (context.MustAuthenticate && !command.Protected && !AclGate.AdmitUnauthenticated(context, command))
        {
            Reject(context, AclGate.Resolve(command, request) ?? command);
            return;
        }

        if (client.User is { } user && user.Rules is { PermitsAll: false } rules && !command.Protected && !AclGate.Admit(context, command, rules))
        {
            Reject(context, AclGate.Resolve(command, request) ?? command);
            return;
        }

        if (command.HasKeys && !SlotFreeze.Admit(context, command))
        {
            // Not run yet: it is counted when it is dispatched again, after the move (ASKING still applies then).
            client.CommandsProcessed--;
            return;
        }

        if (command.HasKeys && Cluster?.Snapshot is { Enabled: true } snapshot && !SlotRouting.Allows(context, command, snapshot))
        {
            client.Asking = false;
            Reject(context, command);
            return;
        }

        if (context.Store.IsOverMemoryLimit && !MemoryGuard.Admit(context, command))
        {
            Reject(context, command);
            return;
        }

        // One volatile read when nobody monitors: the monitor checks below cost nothing else.
        var monitoring = context.Server.Monitors.Active;
        if (monitoring && client.Monitor is not null && (command.IsWrite || command.MayReplicate || (command.Flags & CommandFlags.ReadOnly) != 0))
        {
            // A monitor is a replica to Redis, and a replica may not touch the keyspace.
            context.WriteError(ErrorMessages.ReplicaKeyspace);
            Reject(context, command);
            return;
        }

        // One volatile read while nothing is paused. Checked last, as Redis: what is refused is refused at once.
        if (context.Server.Pause.IsActive && context.Server.Pause.Holds(command) && context.Server.Pause.Released is { } released)
        {
            // Not run yet: counted when it runs, after the pause.
            context.SlotWait = context.Server.Pause.HoldAsync(released, client);
            client.CommandsProcessed--;
            return;
        }

        var errors = context.ErrorReplies;
        context.Rejected = false;
        var chained = context.ChainedTimestamp;
        var started = chained != 0 ? chained : Stopwatch.GetTimestamp();
        if ((command.IsWrite || command.MayReplicate) && context.Aof.Log.IsRecording)
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

        var ended = Stopwatch.GetTimestamp();
        if (chained != 0)
        {
            context.ChainedTimestamp = ended;
        }

        var elapsed = ended - started;
        Count(context, command, elapsed, context.ErrorReplies != errors);

        // As Redis's call(): what ran, after its reply, except administrative commands (CONFIG, CLIENT LIST, MONITOR).
        if (monitoring && !context.Rejected && !context.IsHeldBack && (context.Command.Flags & CommandFlags.Admin) == 0)
        {
            context.Server.Monitors.Feed(context);
        }

        // ASKING lasts for the one command after it, as in Redis.
        client.Asking = ReferenceEquals(command, ClusterCommands.Asking);
    }

    /// <summary>
    /// Counts a command that ran, under the subcommand a container resolved to (<c>config|get</c>): a call with its
    /// time and, when it answered an error, a failed call; a subcommand refused for its arity is a rejected call,
    /// and an unknown subcommand counts nowhere, as in Redis. Then the slow path, past one comparison.
    /// </summary>
    private static void Count(CommandContext context, CommandDefinition command, long elapsed, bool failed)
    {
        var counted = context.Command;
        if (context.Rejected)
        {
            if (!ReferenceEquals(counted, command))
            {
                context.Client.Counters.For(counted).Rejected++;
            }

            return;
        }

        var counter = context.Client.Counters.For(counted);
        counter.Calls++;
        counter.Ticks += elapsed;
        if (failed)
        {
            counter.Failed++;
        }

        var statistics = context.Server.Statistics;
        if (statistics.Commands.LatencyTracking)
        {
            statistics.Commands.RecordLatency(counted, elapsed);
        }

        if (elapsed >= statistics.SlowPathTicks)
        {
            RecordSlow(context, counted, elapsed);
        }
    }

    /// <summary>A command at least as slow as the slow log's or the latency monitor's threshold: checks and records each.</summary>
    private static void RecordSlow(CommandContext context, CommandDefinition command, long elapsed)
    {
        var statistics = context.Server.Statistics;
        var microseconds = CommandStatistics.ToNanoseconds(elapsed) / 1000;
        var now = context.Store.Now;
        var slowLog = statistics.SlowLogSlowerThan;
        if (slowLog >= 0 && microseconds >= slowLog)
        {
            statistics.SlowLog.Add(context.Request, command, microseconds, context.Client, now);
        }

        var threshold = statistics.LatencyMonitorThreshold;
        if (threshold > 0 && microseconds / 1000 >= threshold)
        {
            statistics.Latency.Add((command.Flags & CommandFlags.Fast) != 0 ? "fast-command" : "command", microseconds / 1000, now);
        }
    }

    /// <summary>A command refused before it ran (NOAUTH, NOPERM, MOVED, OOM): a rejected call.</summary>
    private static void Reject(CommandContext context, CommandDefinition command) => context.Client.Counters.For(command).Rejected++;

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
        var cString = CString.Of(value);
        text.AddRange(cString[..Math.Min(cString.Length, Math.Max(0, max))]);
    }
}
