using System.Text;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// Every command and subcommand of the table against redis-server 7.0.15: its ACL categories (ACL CAT), what key
/// patterns and category rules allow (ACL DRYRUN for users with %R~, %W~ and category rules), and NOAUTH before
/// AUTH. New commands are covered as soon as they are in the table.
/// </summary>
public sealed class AclCommandTableParityTests(NodeFixture node, RedisServerProcess redis)
    : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>, IAsyncLifetime
{
    /// <summary>Commands Redis 7.0 does not have: PepperCache's own, and CLIENT SETINFO (Redis 7.2).</summary>
    private static readonly string[] PepperCacheOnly = ["client|setinfo", "pepper.auth", "pepper.import"];

    /// <summary>Users whose rules cover read/write key patterns, per-key patterns and category mixes.</summary>
    private static readonly string[][] Users =
    [
        ["u-read", "on", "nopass", "+@all", "%R~a*"],
        ["u-write", "on", "nopass", "+@all", "%W~a*"],
        ["u-mixed", "on", "nopass", "+@all", "~a1", "%R~a2", "~a3"],
        ["u-split", "on", "nopass", "+@all", "%W~a1", "%R~a2"],
        ["u-readcat", "on", "nopass", "-@all", "+@read", "+@keyspace", "~*"],
        ["u-nowrite", "on", "nopass", "+@all", "-@write", "-@dangerous", "~*"],
        ["u-fast", "on", "nopass", "-@all", "+@fast", "+@connection", "~*"],
        ["u-admin", "on", "nopass", "-@all", "+@admin", "~*"],
        ["u-slow", "on", "nopass", "-@all", "+@slow", "-@keyspace", "~*"],
        ["u-picked", "on", "nopass", "-@all", "+@string", "+config|get", "+client", "+select|0", "-client|kill", "~*"],
    ];

    public async ValueTask InitializeAsync()
    {
        await AclTestSupport.ResetAsync(redis.EndPoint);
        await AclTestSupport.ResetAsync(node.App.RespEndPoint);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task EveryCategoryHoldsTheCommandsRedisPutsInIt()
    {
        await using var redisClient = await RespFrameClient.ConnectAsync(redis.EndPoint);
        await using var nodeClient = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        var categories = Strings(await nodeClient.ExecuteAsync("ACL", "CAT"));
        Assert.Equal(Strings(await redisClient.ExecuteAsync("ACL", "CAT")), categories);

        var ours = new Dictionary<string, HashSet<string>>();
        var theirs = new Dictionary<string, HashSet<string>>();
        foreach (var category in categories)
        {
            ours[category] = [.. Strings(await nodeClient.ExecuteAsync("ACL", "CAT", category))];
            theirs[category] = [.. Strings(await redisClient.ExecuteAsync("ACL", "CAT", category))];
        }

        var ourCommands = ours.Values.SelectMany(c => c).ToHashSet();
        var redisCommands = theirs.Values.SelectMany(c => c).ToHashSet();
        var table = AllNames();
        Assert.Equal(table.Order(), ourCommands.Order());
        Assert.Equal(PepperCacheOnly, ourCommands.Except(redisCommands).Order());
        var differences = new StringBuilder();
        foreach (var category in categories)
        {
            var expected = theirs[category].Intersect(ourCommands).Order().ToList();
            var actual = ours[category].Except(PepperCacheOnly).Order().ToList();
            if (!expected.SequenceEqual(actual))
            {
                differences.Append(category).Append(": only Redis [").AppendJoin(' ', expected.Except(actual))
                    .Append("], only PepperCache [").AppendJoin(' ', actual.Except(expected)).AppendLine("]");
            }
        }

        Assert.True(differences.Length == 0, "ACL CAT differs from Redis's:\n" + differences);
    }

    [Fact]
    public async Task DryRunOfEveryCommandAnswersAsRedisForKeyPatternsAndCategories()
    {
        var commands = SampleCommands();
        var differences = new StringBuilder();
        await using var redisClient = await RespFrameClient.ConnectAsync(redis.EndPoint);
        await using var nodeClient = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        foreach (var user in Users)
        {
            string[] setUser = ["ACL", "SETUSER", .. user];
            Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await redisClient.ExecuteAsync(setUser)));
            Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(await nodeClient.ExecuteAsync(setUser)));
            var dryRuns = commands.Select(c => (string[])["ACL", "DRYRUN", user[0], .. c]).ToList();
            var expected = await redisClient.ExecuteManyAsync(dryRuns);
            var actual = await nodeClient.ExecuteManyAsync(dryRuns);
            for (var i = 0; i < dryRuns.Count; i++)
            {
                if (!expected[i].AsSpan().SequenceEqual(actual[i]))
                {
                    differences.Append(string.Join(' ', dryRuns[i])).Append(": redis ").Append(RespTranscript.Show(expected[i]))
                        .Append(", node ").AppendLine(RespTranscript.Show(actual[i]));
                }
            }
        }

        Assert.True(differences.Length == 0, "ACL DRYRUN differs from Redis's:\n" + differences);
    }

    [Fact]
    public async Task EveryCommandButTheNoAuthOnesAnswersNoAuthBeforeAuth()
    {
        var commands = SampleCommands().Where(c => !IsNoAuth(c[0])).ToList();
        var replies = new List<(List<byte[]> Redis, List<byte[]> Node)>();
        foreach (var server in new[] { redis.EndPoint, node.App.RespEndPoint })
        {
            await using var admin = await RespFrameClient.ConnectAsync(server);
            Assert.Equal("+OK\r\n", await admin.ExecuteTextAsync("CONFIG", "SET", "requirepass", AclTestSupport.Password));
        }

        try
        {
            await using var redisClient = await RespFrameClient.ConnectAsync(redis.EndPoint);
            await using var nodeClient = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
            var expected = await redisClient.ExecuteManyAsync(commands);
            var actual = await nodeClient.ExecuteManyAsync(commands);
            var differences = Enumerable.Range(0, commands.Count)
                .Where(i => !expected[i].AsSpan().SequenceEqual(actual[i]))
                .Select(i => $"{string.Join(' ', commands[i])}: redis {RespTranscript.Show(expected[i])}, node {RespTranscript.Show(actual[i])}")
                .ToList();
            Assert.True(differences.Count == 0, "Before AUTH, replies differ from Redis's:\n" + string.Join('\n', differences));
            // But DEBUG, which Redis refuses first (CMD_PROTECTED under enable-debug-command no), as compared above.
            Assert.All(actual.Where((_, i) => commands[i][0] != "debug"), reply => Assert.Equal("-NOAUTH Authentication required.\r\n", Encoding.UTF8.GetString(reply)));
        }
        finally
        {
            await AclTestSupport.ResetAsync(redis.EndPoint);
            await AclTestSupport.ResetAsync(node.App.RespEndPoint);
        }
    }

    /// <summary>
    /// One call of every command and subcommand PepperCache and Redis share, with as few arguments as its arity
    /// allows, named a1, a2... (keys among them); SET also with GET, whose key access differs.
    /// </summary>
    private static List<string[]> SampleCommands()
    {
        var samples = new List<string[]>();
        foreach (var command in CommandTable.CreateDefault().All.Where(c => !PepperCacheOnly.Contains(c.Name)))
        {
            // A container called alone only exists for COMMAND; the others answer "not found" to DRYRUN.
            if (command.Subcommands.Count == 0 || command.AcceptsArgumentCount(1))
            {
                samples.Add([command.Name, .. Arguments(Math.Abs(command.Arity) - 1)]);
            }

            foreach (var sub in command.Subcommands.Where(s => !PepperCacheOnly.Contains(s.Name)))
            {
                samples.Add([command.Name, Resp.Subcommands.ShortName(sub), .. Arguments(Math.Abs(sub.Arity) - 2)]);
            }
        }

        samples.Add(["set", "a1", "a2", "GET"]);
        samples.Add(["select", "0"]);
        return samples;
    }

    private static IEnumerable<string> Arguments(int count) => Enumerable.Range(1, Math.Max(0, count)).Select(i => "a" + i);

    private static HashSet<string> AllNames() =>
        CommandTable.CreateDefault().All.SelectMany(c => c.Subcommands.Prepend(c)).Select(c => c.Name).ToHashSet();

    private static bool IsNoAuth(string name) =>
        CommandTable.CreateDefault().TryGet(name, out var command) && (command.Flags & CommandFlags.NoAuth) != 0;

    /// <summary>The bulk strings of a flat RESP array.</summary>
    private static List<string> Strings(byte[] reply) =>
        Encoding.UTF8.GetString(reply).Split("\r\n").Skip(1).Where((_, i) => i % 2 == 1).ToList();
}
