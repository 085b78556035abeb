using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Cluster;

/// <summary>
/// The first cluster check before a keyed command runs: while one of its slots is frozen for migration, the command
/// waits instead of running. It must come before routing (<see cref="SlotRouting"/>), so that a command held back
/// during a move is routed only after the move, to the slot's new owner.
/// </summary>
internal static class SlotFreeze
{
    /// <summary>True when none of the command's slots is frozen; otherwise <see cref="CommandContext.SlotWait"/> is set.</summary>
    public static bool Admit(CommandContext context, CommandDefinition command)
    {
        var migration = context.Server.Migration;
        if (!migration.AnyFrozen)
        {
            return true;
        }

        foreach (var (index, _) in command.Keys(new ArgumentView(context.Request, 0)))
        {
            if (migration.WaitFor(HashSlot.Of(context.Request[index])) is { } wait)
            {
                context.SlotWait = wait;
                return false;
            }
        }

        return true;
    }
}
