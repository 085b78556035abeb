using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>
/// maxmemory, as Redis's processCommand applies it: before a command runs on a node over its limit, evict by the
/// policy; if nothing could be freed, refuse the commands that may grow memory (<c>denyoom</c>) with OOM and let
/// reads and deletes through.
/// </summary>
internal static class MemoryGuard
{
    /// <summary>Keys one command may evict before it runs: bounded work per write, as Redis's eviction time limit.</summary>
    internal const int KeysPerCommand = 64;

    /// <summary>Keys a background round may evict (the expiry service's tick) when writes left the node over its limit.</summary>
    internal const int KeysPerBackgroundRound = 4096;

    /// <summary>False when the command must be refused for want of memory (the OOM reply is written).</summary>
    public static bool Admit(CommandContext context, CommandDefinition command)
    {
        if (MakeRoom(context.Server, KeysPerCommand) != EvictionOutcome.Failed || (command.Flags & CommandFlags.DenyOom) == 0)
        {
            return true;
        }

        context.Output.WriteError(ErrorMessages.OutOfMemory);
        return false;
    }

    /// <summary>Evicts toward the limit, logging evictions when the append-only file records.</summary>
    public static EvictionOutcome MakeRoom(ServerState server, int maxKeys)
        => server.Aof.IsRecording ? server.Aof.Evict(maxKeys) : server.Store.Evict(maxKeys, listener: null);
}
