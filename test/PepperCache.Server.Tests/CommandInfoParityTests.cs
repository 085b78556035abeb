using System.Text;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>
/// <c>COMMAND INFO</c> of every command and subcommand in the table against redis-server 7.0's: arity, flags, the
/// legacy first/last/step, ACL categories, tips and key specs (flags, notes, begin search, find keys) the same; of the
/// subcommands, ours must be a subset of Redis's (CLIENT TRACKING and the like are not implemented). A command added
/// to the table is checked here from the moment it exists, so its declaration has to say what Redis says.
/// </summary>
public sealed class CommandInfoParityTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    /// <summary>Commands Redis 7.0 does not have: PepperCache's own, and CLIENT SETINFO from Redis 7.2.</summary>
    private static readonly HashSet<string> PepperCacheOnly = ["client|setinfo", "pepper.auth", "pepper.import"];

    [Fact]
    public async Task EveryCommandDescribesItselfAsRedisDoes()
    {
        await using var node = await servers.Node.ConnectRawAsync();
        await using var redis = await RawRespClient.ConnectAsync(servers.RedisEndPoint);
        var ours = Assert.IsType<List<object?>>(await node.CommandAsync("COMMAND"));
        var differences = new StringBuilder();
        var compared = 0;
        foreach (var entry in ours.Cast<List<object?>>())
        {
            var name = (string)entry[0]!;
            if (PepperCacheOnly.Contains(name))
            {
                continue;
            }

            var theirs = Assert.IsType<List<object?>>(await redis.CommandAsync("COMMAND", "INFO", name));
            if (theirs[0] is not List<object?> reference)
            {
                differences.AppendLine($"{name}: not a Redis 7.0 command (add it to PepperCacheOnly if that is intended)");
                continue;
            }

            compared += Compare(name, entry, reference, differences);
        }

        Assert.True(differences.Length == 0, "COMMAND INFO differs from redis-server's:\n" + differences);
        Assert.True(compared > 100, $"only {compared} commands and subcommands compared");
    }

    /// <summary>
    /// The same in RESP3 (HELLO 3 on both): every command's reply byte for byte in kind and content (flags, categories
    /// and tips as sets, key specs as maps), with flags and categories compared as sets and subcommands by name.
    /// </summary>
    [Fact]
    public async Task EveryCommandDescribesItselfAsRedisDoesInResp3()
    {
        await using var node = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespSocket.ConnectAsync(servers.RedisEndPoint);
        await DifferentialScript.SwitchToResp3Async(redis, node);
        var names = (await node.CommandAsync("COMMAND", "LIST")).Items!.Select(n => n.Text).ToList();
        var differences = new StringBuilder();
        var compared = 0;
        foreach (var name in names)
        {
            if (PepperCacheOnly.Contains(name))
            {
                continue;
            }

            var ours = (await node.CommandAsync("COMMAND", "INFO", name)).Items![0];
            var theirs = (await redis.CommandAsync("COMMAND", "INFO", name)).Items![0];
            if (theirs.IsNull)
            {
                differences.AppendLine($"{name}: not a Redis 7.0 command (add it to PepperCacheOnly if that is intended)");
                continue;
            }

            compared += Compare(name, ours, theirs, differences);
        }

        Assert.True(differences.Length == 0, "RESP3 COMMAND INFO differs from redis-server's:\n" + differences);
        Assert.True(compared > 100, $"only {compared} commands and subcommands compared");
    }

    private static int Compare(string name, RespValue ours, RespValue theirs, StringBuilder differences)
    {
        string[] fields = ["name", "arity", "flags", "first key", "last key", "step", "categories", "tips", "key specs"];
        for (var i = 0; i < fields.Length; i++)
        {
            var a = Typed(ours.Items![i], sorted: i is 2 or 6);
            var b = Typed(theirs.Items![i], sorted: i is 2 or 6);
            if (a != b)
            {
                differences.AppendLine($"{name} {fields[i]}:\n  node:  {a}\n  redis: {b}");
            }
        }

        var compared = 1;
        var theirSubcommands = theirs.Items![9].Items!.ToDictionary(s => s.Items![0].Text);
        foreach (var subcommand in ours.Items![9].Items!)
        {
            var subName = subcommand.Items![0].Text;
            if (PepperCacheOnly.Contains(subName))
            {
                continue;
            }

            if (!theirSubcommands.TryGetValue(subName, out var reference))
            {
                differences.AppendLine($"{subName}: not a Redis 7.0 subcommand");
                continue;
            }

            compared += Compare(subName, subcommand, reference, differences);
        }

        return compared;
    }

    /// <summary>A reply as its RESP3 kinds and texts, so a set and an array, or a status and a bulk string, differ.</summary>
    private static string Typed(RespValue value, bool sorted = false)
    {
        if (value.Items is not { } items)
        {
            return value.Kind + value.Text;
        }

        var texts = items.Select(item => Typed(item));
        return value.Kind + "[" + string.Join(", ", sorted ? texts.Order(StringComparer.Ordinal) : texts) + "]";
    }

    private static int Compare(string name, List<object?> ours, List<object?> theirs, StringBuilder differences)
    {
        string[] fields = ["name", "arity", "flags", "first key", "last key", "step", "categories", "tips", "key specs"];
        for (var i = 0; i < fields.Length; i++)
        {
            // Flags and categories are sets in Redis's own order; compare them as sets so the order rule is not
            // checked twice (COMMAND's order is tested in CommandCommandsIntegrationTests).
            var a = i is 2 or 6 ? Canonical(Sorted(ours[i])) : Canonical(ours[i]);
            var b = i is 2 or 6 ? Canonical(Sorted(theirs[i])) : Canonical(theirs[i]);
            if (a != b)
            {
                differences.AppendLine($"{name} {fields[i]}:\n  node:  {a}\n  redis: {b}");
            }
        }

        var compared = 1;
        var theirSubcommands = ((List<object?>)theirs[9]!).Cast<List<object?>>().ToDictionary(s => (string)s[0]!);
        foreach (var subcommand in ((List<object?>)ours[9]!).Cast<List<object?>>())
        {
            var subName = (string)subcommand[0]!;
            if (PepperCacheOnly.Contains(subName))
            {
                continue;
            }

            if (!theirSubcommands.TryGetValue(subName, out var reference))
            {
                differences.AppendLine($"{subName}: not a Redis 7.0 subcommand");
                continue;
            }

            compared += Compare(subName, subcommand, reference, differences);
        }

        return compared;
    }

    private static List<object?> Sorted(object? value) =>
        [.. ((List<object?>)value!).Cast<string>().Order(StringComparer.Ordinal)];

    private static string Canonical(object? value) => value switch
    {
        null => "nil",
        List<object?> list => "[" + string.Join(", ", list.Select(Canonical)) + "]",
        string text => "\"" + text + "\"",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };
}
