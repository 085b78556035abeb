using System.Net;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>Helpers shared by the ACL tests: putting a server's users back as they start.</summary>
internal static class AclTestSupport
{
    /// <summary>The password the security tests give requirepass, when they set one.</summary>
    public const string Password = "secret";

    /// <summary>
    /// Back to a fresh server's users: no requirepass, only the default user (on, nopass, ~*, &amp;*, +@all), an
    /// empty ACL LOG. Tests start with this so one that failed half way leaves nothing behind for the next.
    /// </summary>
    public static async Task ResetAsync(IPEndPoint server)
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        // Fails harmlessly when no password is set.
        await client.ExecuteAsync("AUTH", Password);
        await client.ExecuteAsync("CONFIG", "SET", "requirepass", "");
        await client.ExecuteAsync("ACL", "SETUSER", "default", "on", "nopass", "allkeys", "allchannels", "allcommands");
        var users = Encoding.UTF8.GetString(await client.ExecuteAsync("ACL", "USERS"))
            .Split("\r\n")
            .Where(line => line.Length > 0 && line[0] is not ('*' or '$'))
            .Where(name => name != "default")
            .ToList();
        if (users.Count > 0)
        {
            await client.ExecuteAsync(["ACL", "DELUSER", .. users]);
        }

        await client.ExecuteAsync("ACL", "LOG", "RESET");
    }
}
