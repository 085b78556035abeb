using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// The scaffolding of the blocking-command tests (lists, sorted sets): a scenario played on redis-server 7.0.15 and
/// on a node, replies as text, and knowing a client is blocked from INFO's <c>blocked_clients</c> (a bounded poll),
/// never by waiting a while.
/// </summary>
public static partial class BlockingScenario
{
    /// <summary>Plays <paramref name="scenario"/> on Redis, then on the node; both must see <paramref name="expected"/>.</summary>
    public static async Task BothAsync(RedisServerFixture servers, Func<IPEndPoint, Task<List<string>>> scenario, params string[] expected)
    {
        var redis = await scenario(servers.RedisEndPoint);
        Assert.Equal(expected, redis);
        var node = await scenario(servers.Node.RespEndPoint);
        Assert.Equal(expected, node);
    }

    public static async Task<string> Text(RespFrameClient client, params string[] command) =>
        Encoding.UTF8.GetString(await client.ExecuteAsync(command));

    public static async Task<string> Read(RespFrameClient client) => Encoding.UTF8.GetString(await client.ReadReplyAsync());

    /// <summary>Polls INFO until exactly <paramref name="count"/> clients are blocked (at most ten seconds).</summary>
    public static Task WaitForBlockedAsync(RespFrameClient client, int count)
    {
        var wanted = $"blocked_clients:{count.ToString(CultureInfo.InvariantCulture)}";
        return Eventually.UntilAsync(
            async () => BlockedClients(await Text(client, "INFO", "clients")), line => line == wanted, TimeSpan.FromSeconds(10),
            $"{count} clients are blocked", line => $"INFO says {line}", TimeSpan.FromMilliseconds(5));
    }

    public static string BlockedClients(string info) => BlockedLine().Match(info).Value;

    public static string ClientFlags(string list) => FlagsField().Match(list).Value;

    [GeneratedRegex(@"blocked_clients:\d+")]
    private static partial Regex BlockedLine();

    [GeneratedRegex(@"flags=\w+")]
    private static partial Regex FlagsField();
}
