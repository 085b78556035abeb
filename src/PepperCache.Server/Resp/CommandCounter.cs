namespace PepperCache.Server.Resp;

/// <summary>One command's counts on one connection (INFO commandstats sums them over the connections).</summary>
internal sealed class CommandCounter(CommandDefinition command)
{
    public CommandDefinition Command { get; } = command;

    /// <summary>Runs of the command, those that answered an error included (Redis's calls).</summary>
    public long Calls;

    /// <summary>Time spent in the handler, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long Ticks;

    /// <summary>Refused before it ran: arity, NOAUTH, NOPERM, MOVED/ASK/CROSSSLOT, OOM (Redis's rejected_calls).</summary>
    public long Rejected;

    /// <summary>Ran and answered an error: WRONGTYPE, a syntax error... (Redis's failed_calls).</summary>
    public long Failed;
}
