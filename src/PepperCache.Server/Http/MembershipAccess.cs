using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace PepperCache.Server.Http;

/// <summary>
/// Who may make a membership call (<c>POST /join</c>, <c>/cluster/gossip</c>, <c>/leave</c>): with a cluster secret,
/// whoever presents it; without one, only a peer on this machine's loopback (docs/cluster.md, "Security").
/// </summary>
internal static class MembershipAccess
{
    /// <summary>Why <paramref name="context"/>'s call is refused; null when it is allowed.</summary>
    public static string? Refusal(HttpContext context, string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            var given = context.Request.Headers[Cluster.PeerClient.SecretHeader].ToString();
            return SecretMatches(given, secret) ? null : "missing or wrong cluster secret";
        }

        return IsLoopback(context.Connection.RemoteIpAddress) ? null : "not a loopback peer, and no cluster secret is set";
    }

    /// <summary>Constant time in content and length: both sides are hashed before the comparison.</summary>
    public static bool SecretMatches(string given, string secret) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>127.0.0.0/8, ::1, or either as an IPv4-mapped IPv6 address. An unknown address is not loopback.</summary>
    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>Whether a listen address (<c>--bind</c>) only takes connections from this machine.</summary>
    public static bool IsLoopbackBind(string bindAddress) =>
        bindAddress == "localhost" || (IPAddress.TryParse(bindAddress, out var address) && IsLoopback(address));
}
