using System.Net;
using PepperCache.Protocol;
using PepperCache.Server.Http;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// Who may send the node-to-node commands that move slots (<c>CLUSTER SETSLOT ... NODE</c>, <c>PEPPER.IMPORT</c>):
/// with a cluster secret, a connection that presented it with <c>PEPPER.AUTH</c>; without one, a loopback connection
/// (docs/cluster.md, "Security"). The same rule as the admin port's membership calls.
/// </summary>
internal static class ClusterPeerCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("pepper.auth", 2, Fast | Stale | Loading | NoScript, 0, 0, 0, Auth, "cluster",
            "Marks this connection as a cluster member's when it presents the cluster secret (node to node)."),
    ];

    /// <summary>
    /// <c>PEPPER.AUTH secret</c>: compared in constant time with <c>--cluster-secret</c>. Right: <c>+OK</c> and the
    /// connection may send slot-migration commands. Wrong: <c>-WRONGPASS</c>, and the connection loses that right.
    /// </summary>
    public static void Auth(CommandContext context)
    {
        var secret = context.Server.Options.ClusterSecret;
        if (string.IsNullOrEmpty(secret))
        {
            context.WriteError("ERR PEPPER.AUTH called without any cluster secret configured"u8);
            return;
        }

        var matches = MembershipAccess.SecretMatches(context.Request.GetString(1), secret);
        context.Client.ClusterPeer = matches;
        if (matches)
        {
            context.Output.WriteOk();
        }
        else
        {
            context.WriteError("WRONGPASS invalid cluster secret"u8);
        }
    }

    /// <summary>
    /// Whether the connection may send a slot-migration command; when not, the NOPERM reply is written. Replaying the
    /// AOF is always allowed: the log holds what this node accepted.
    /// </summary>
    public static bool Admit(CommandContext context)
    {
        var server = context.Server;
        if (server.Aof.Loading || context.Client.ClusterPeer)
        {
            return true;
        }

        if (string.IsNullOrEmpty(server.Options.ClusterSecret))
        {
            if (IsLoopback(context.Client.RemoteEndPoint))
            {
                return true;
            }

            context.WriteError("NOPERM this command is node to node: without a cluster secret it is accepted only from loopback connections"u8);
            return false;
        }

        context.WriteError("NOPERM this command is node to node: send PEPPER.AUTH with the cluster secret first"u8);
        return false;
    }

    private static bool IsLoopback(EndPoint? endPoint) => endPoint is IPEndPoint ip && MembershipAccess.IsLoopback(ip.Address);
}
