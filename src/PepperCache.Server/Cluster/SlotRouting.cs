using PepperCache.Core.Cluster;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Cluster;

/// <summary>
/// The cluster check before a keyed command runs: wait while one of its slots is frozen for migration, then redirect
/// with <c>-MOVED</c> when another node serves the slot. Called by the dispatcher only when a cluster view exists.
/// </summary>
/// <remarks>
/// The MOVED part is the slot migration branch's stand-in; membership's routing (CROSSSLOT, ASKING, READONLY)
/// replaces it. The freeze part must stay ahead of whatever routing runs, so that a command held back during a move
/// is routed only after the move, to the slot's new owner.
/// </remarks>
internal static class SlotRouting
{
    /// <summary>True when the command may run here; otherwise a redirect was written or <see cref="CommandContext.SlotWait"/> set.</summary>
    public static bool Admit(CommandContext context, CommandDefinition command)
    {
        var server = context.Server;
        var request = context.Request;
        var last = command.LastKey < 0 ? request.Count + command.LastKey : Math.Min(command.LastKey, request.Count - 1);
        if (server.Migration.AnyFrozen)
        {
            for (var i = command.FirstKey; i <= last; i += command.Step)
            {
                if (server.Migration.WaitFor(HashSlot.Of(request[i])) is { } wait)
                {
                    context.SlotWait = wait;
                    return false;
                }
            }
        }

        var view = server.Cluster!;
        var slot = HashSlot.Of(request[command.FirstKey]);
        var owner = view.OwnerOf(slot);
        var myself = view.Myself;
        if (ReferenceEquals(owner, myself) || owner.Id == myself.Id)
        {
            return true;
        }

        // A redirect is rare per client (it then caches the new owner), so the formatting may allocate.
        context.WriteError($"MOVED {slot} {owner.Host}:{owner.Port}");
        return false;
    }
}
