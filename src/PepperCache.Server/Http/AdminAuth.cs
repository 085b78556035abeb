using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PepperCache.Server.Acl;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Http;

/// <summary>
/// The admin API asks for the same credentials as the RESP port once the default user has a password (requirepass
/// or ACL): <c>Authorization: Bearer &lt;password&gt;</c> for the default user, or HTTP Basic <c>user:password</c>.
/// The user must be on, the password one of its own, and the user allowed every @admin command (the default user
/// with +@all is). Without them: 401 with a <c>WWW-Authenticate</c> challenge for both schemes. /healthz and /readyz
/// stay open for probes. Membership calls between nodes accept the cluster secret instead (see <see cref="MembershipApi"/>).
/// </summary>
internal static class AdminAuth
{
    public const string Challenge = "Basic realm=\"peppercache\", charset=\"UTF-8\"";

    public const string BearerChallenge = "Bearer realm=\"peppercache\"";

    /// <summary>The key of the <see cref="LogRateLimiter"/> for refused calls (anyone who reaches the admin port can cause them).</summary>
    public const string RefusalLogKey = "admin-refusals";

    /// <summary>Endpoint filter for admin routes: credentials when the default user has a password.</summary>
    public static async ValueTask<object?> RequireCredentials(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var acl = http.RequestServices.GetRequiredService<AclState>();
        if (!acl.AuthRequired || HasAdminCredentials(http.Request, acl))
        {
            return await next(context).ConfigureAwait(false);
        }

        return Refuse(http);
    }

    /// <summary>
    /// Endpoint filter for membership calls: open while there is neither a cluster secret nor a password; otherwise
    /// the cluster secret (as peers have always sent it) or admin credentials (what peers send when requirepass is set).
    /// </summary>
    public static async ValueTask<object?> RequireSecretOrCredentials(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var acl = http.RequestServices.GetRequiredService<AclState>();
        var secret = http.RequestServices.GetRequiredService<IOptions<PepperCacheOptions>>().Value.ClusterSecret;
        // The cluster secret (or, with none set, a loopback peer) or the admin credentials once a password is set.
        var refusal = MembershipAccess.Refusal(http, secret);
        if (refusal is null || (acl.AuthRequired && HasAdminCredentials(http.Request, acl)))
        {
            return await next(context).ConfigureAwait(false);
        }

        if (ShouldLogRefusal(http))
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MembershipApi));
            Log.SecretRefused(logger, http.Connection.RemoteIpAddress?.ToString() ?? "?", http.Request.Path, refusal);
        }

        return Refuse(http, log: false);
    }

    /// <summary>Whether the Authorization header names a user that may use the admin API, with one of its passwords.</summary>
    public static bool HasAdminCredentials(HttpRequest request, AclState acl)
    {
        var header = request.Headers.Authorization.ToString();
        string user;
        byte[] password;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            user = AclState.DefaultUserName;
            password = AclText.Bytes(header[7..].Trim());
        }
        else if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || !TryDecodeBasic(header[6..].Trim(), out user, out password))
        {
            return false;
        }

        return acl.CheckCredentials(user, password) is { } found && MayAdminister(found.Rules, acl.Commands);
    }

    /// <summary>
    /// What a node sends its peers when it has a requirepass: HTTP Basic for the default user with that password
    /// (Basic rather than Bearer so that any password, spaces and non-ASCII included, travels as its UTF-8 bytes).
    /// </summary>
    public static System.Net.Http.Headers.AuthenticationHeaderValue? PeerCredentials(AclState acl) =>
        acl.RequirePass.Length == 0
            ? null
            : new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(AclState.DefaultUserName + ":" + acl.RequirePass)));

    /// <summary>Every @admin command is allowed (the admin API can do what CONFIG and CLUSTER can).</summary>
    private static bool MayAdminister(AclRules rules, AclCommandSet commands)
    {
        if (rules.AllCommands)
        {
            return true;
        }

        var admin = AclCategories.Bit("admin");
        return commands.All.All(c => (c.Categories & admin) == 0 || rules.IsAllowed(c.Id));
    }

    /// <summary>user:password after base64; the user is what precedes the first colon (RFC 7617).</summary>
    private static bool TryDecodeBasic(string encoded, out string user, out byte[] password)
    {
        user = "";
        password = [];
        var bytes = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(encoded, bytes, out var length))
        {
            return false;
        }

        var colon = Array.IndexOf(bytes, (byte)':', 0, length);
        if (colon < 0)
        {
            return false;
        }

        user = AclText.From(bytes.AsSpan(0, colon));
        password = bytes.AsSpan(colon + 1, length - colon - 1).ToArray();
        return true;
    }

    private static bool CarriesSecret(HttpRequest request, string secret)
    {
        var given = request.Headers[PeerClient.SecretHeader].ToString();
        // Hashing both first makes the comparison constant-time in the length too.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    private static IResult Refuse(HttpContext http, bool log = true)
    {
        if (log && ShouldLogRefusal(http))
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminAuth));
            Log.AdminCredentialsRefused(logger, http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "?");
        }

        http.Response.Headers.Append("WWW-Authenticate", Challenge);
        http.Response.Headers.Append("WWW-Authenticate", BearerChallenge);
        return Results.Unauthorized();
    }

    private static bool ShouldLogRefusal(HttpContext http) =>
        http.RequestServices.GetRequiredKeyedService<LogRateLimiter>(RefusalLogKey).ShouldLog();
}
