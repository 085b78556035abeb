using System.Buffers;
using System.Buffers.Text;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;

namespace PepperCache.Server.Resp;

/// <summary>
/// Redis Cluster's redirects for keyed commands: every key must hash to one slot (else <c>-CROSSSLOT</c>), and that
/// slot must be served here (else <c>-MOVED &lt;slot&gt; &lt;host&gt;:&lt;port&gt;</c>, from bytes built once per owner);
/// a joiner that has not joined answers <c>-CLUSTERDOWN</c>.
/// Allocates nothing.
/// </summary>
internal static class SlotRouting
{
    public static ReadOnlySpan<byte> CrossSlot => "-CROSSSLOT Keys in request don't hash to the same slot\r\n"u8;

    /// <summary>Redis's answer on a node whose cluster state is not ok (here: a joiner that has not joined yet).</summary>
    public static ReadOnlySpan<byte> ClusterDown => "-CLUSTERDOWN The cluster is down\r\n"u8;

    /// <summary>Whether the command may run here; when not, the redirect or error has been written.</summary>
    public static bool Allows(CommandContext context, CommandDefinition command, ClusterSnapshot snapshot)
    {
        var slot = -1;
        foreach (var (index, _) in command.Keys(new ArgumentView(context.Request, 0)))
        {
            var keySlot = HashSlot.Of(context.Request[index]);
            if (slot < 0)
            {
                slot = keySlot;
            }
            else if (keySlot != slot)
            {
                context.Server.Statistics.Errors.Count(CrossSlot[1..]);
                context.Output.WriteRaw(CrossSlot);
                return false;
            }
        }

        if (slot < 0)
        {
            // No keys in these arguments: the command runs here and answers them (an arity or syntax error).
            return true;
        }

        // As Redis's getNodeByQuery: CROSSSLOT first, then the cluster state, then the slot's owner. A node cut off from
        // the majority still answers reads of its slots, but takes no writes the majority may have moved on from.
        if (snapshot.Down || (snapshot.Minority && command.IsWrite))
        {
            context.Server.Statistics.Errors.Count(ClusterDown[1..]);
            context.Output.WriteRaw(ClusterDown);
            return false;
        }

        if (ReferenceEquals(snapshot.Owners[slot], snapshot.Myself))
        {
            return true;
        }

        context.Server.Statistics.Errors.Count("MOVED "u8);
        WriteMoved(context.Output, slot, (context.Client.Tls ? snapshot.TlsMovedSuffixes : snapshot.MovedSuffixes)[slot]);
        return false;
    }

    private static void WriteMoved(IBufferWriter<byte> output, int slot, byte[] suffix)
    {
        var prefix = "-MOVED "u8;
        var span = output.GetSpan(prefix.Length + 5 + suffix.Length);
        prefix.CopyTo(span);
        Utf8Formatter.TryFormat(slot, span[prefix.Length..], out var digits);
        suffix.CopyTo(span[(prefix.Length + digits)..]);
        output.Advance(prefix.Length + digits + suffix.Length);
    }
}
