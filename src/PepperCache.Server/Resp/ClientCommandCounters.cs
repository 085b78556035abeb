namespace PepperCache.Server.Resp;

/// <summary>
/// A connection's per-command counts, found by <see cref="CommandDefinition.Id"/> in an array made at its first
/// command: written only by the connection's own thread (no lock, no interlocked op, nothing allocated after a
/// command's first use), read racily by INFO and /metrics, which is fine for statistics (a 64-bit read is whole).
/// </summary>
internal sealed class ClientCommandCounters
{
    private CommandCounter?[]? _byId;

    /// <summary>This connection's counter for <paramref name="command"/>, made on its first use.</summary>
    public CommandCounter For(CommandDefinition command)
    {
        var byId = _byId;
        var id = command.Id;
        if (byId is not null && (uint)id < (uint)byId.Length && byId[id] is { } counter)
        {
            return counter;
        }

        return Add(command);
    }

    /// <summary>The counters made so far (a reader's view; entries may still be added).</summary>
    public CommandCounter?[] All => _byId ?? [];

    private CommandCounter Add(CommandDefinition command)
    {
        var byId = _byId;
        if (byId is null || command.Id >= byId.Length)
        {
            var grown = new CommandCounter?[Math.Max(CommandDefinition.IdCount, command.Id + 1)];
            byId?.CopyTo(grown, 0);
            _byId = byId = grown;
        }

        return byId[command.Id] = new CommandCounter(command);
    }
}
