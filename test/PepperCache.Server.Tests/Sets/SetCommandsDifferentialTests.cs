using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Sets;

/// <summary>
/// The set commands against redis-server 7.0.15 and a PepperCache node: the same scripts, replies compared byte for
/// byte (intsets answer in ascending order on both), in any order where a hashtable's order is each server's own, and
/// by shape where the content is random. Each test uses its own key prefix; the two servers live for the class.
/// Split by concern: this file (single-key commands, errors, counters, the command table),
/// <c>SetCommandsDifferentialTests.Algebra.cs</c> (SMOVE, SINTER*, SUNION*, SDIFF*) and
/// <c>SetCommandsDifferentialTests.Sizes.cs</c> (encodings and their limit, big sets, SSCAN).
/// </summary>
public sealed partial class SetCommandsDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    private Task RunAsync(IEnumerable<DifferentialStep> steps) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, steps);

    [Fact]
    public Task AddRemoveAndMembership() => RunAsync("""
        > SADD b:s 3 1 2 1
        > SADD b:s 2 3
        > SMEMBERS b:s
        > OBJECT ENCODING b:s
        > SCARD b:s
        > SCARD b:nokey
        > SISMEMBER b:s 1
        > SISMEMBER b:s 01
        > SISMEMBER b:s x
        > SISMEMBER b:nokey 1
        > SMISMEMBER b:s 1 x 3 1 -1
        > SMISMEMBER b:nokey a b
        > SMEMBERS b:nokey
        > SADD b:s -9223372036854775808 9223372036854775807 0 -1
        > SMEMBERS b:s
        > SREM b:s 1 nosuch 1 01 -1
        > SMEMBERS b:s
        > SREM b:nokey a
        > SADD b:s x
        > OBJECT ENCODING b:s
        ~ SMEMBERS b:s
        > SISMEMBER b:s 2
        > SISMEMBER b:s x
        > SMISMEMBER b:s 2 x y
        > SREM b:s 2 3 x -9223372036854775808 9223372036854775807
        > SMEMBERS b:s
        > SREM b:s 0
        > EXISTS b:s
        > TYPE b:s
        > SADD b:bin "\x00\xff\r\n" "" plain "\r\n" ""
        ~ SMEMBERS b:bin
        > SISMEMBER b:bin "\x00\xff\r\n"
        > SISMEMBER b:bin ""
        > SREM b:bin "\x00\xff\r\n" ""
        ~ SMEMBERS b:bin
        > SCARD b:bin
        """);

    [Fact]
    public Task ArityWrongTypeAndErrors() => RunAsync("""
        > SET e:str v
        > SADD e:str a
        > SREM e:str a
        > SMEMBERS e:str
        > SISMEMBER e:str a
        > SMISMEMBER e:str a
        > SCARD e:str
        > SPOP e:str
        > SPOP e:str 2
        > SRANDMEMBER e:str
        > SRANDMEMBER e:str 2
        > SSCAN e:str 0
        > SADD e:s a
        > GET e:s
        > HSET e:s f v
        > INCR e:s
        > SADD e:s
        > SADD
        > SREM e:s
        > SMEMBERS
        > SMEMBERS e:s e:t
        > SISMEMBER e:s
        > SISMEMBER e:s a b
        > SMISMEMBER e:s
        > SCARD
        > SCARD e:s e:t
        > SPOP
        > SRANDMEMBER
        > SSCAN e:s
        > SMOVE e:s e:t
        > SINTER
        > SINTERCARD 1
        > SINTERSTORE e:d
        > SUNION
        > SUNIONSTORE e:d
        > SDIFF
        > SDIFFSTORE e:d
        > SET e:s plain
        > GET e:s
        > TYPE e:s
        """);

    [Fact]
    public Task Pop() => RunAsync("""
        > SPOP p:nokey
        > SPOP p:nokey 3
        > SPOP p:nokey 0
        > SPOP p:nokey -1
        > SADD p:one only
        > SPOP p:one
        > EXISTS p:one
        > SADD p:s 5 3 1 4 2
        > SPOP p:s 0
        > SPOP p:s -1
        > SPOP p:s x
        > SPOP p:s 1.5
        > SPOP p:s 1 2
        ? SPOP p:s
        ? SPOP p:s 1
        ? SPOP p:s 2
        > SCARD p:s
        ? SPOP p:s 1
        > EXISTS p:s
        > SADD p:all 9 -3 7 1
        > SPOP p:all 100
        > EXISTS p:all
        > SADD p:ints a 30 10 20
        > SREM p:ints a
        > OBJECT ENCODING p:ints
        > SPOP p:ints 3
        > SADD p:mixed x 2 1
        ~ SPOP p:mixed 9223372036854775807
        > EXISTS p:mixed
        """);

    [Fact]
    public Task RandomMembers() => RunAsync("""
        > SADD r:s 5 3 1 4 2
        > SRANDMEMBER r:s 5
        > SRANDMEMBER r:s 6
        > SRANDMEMBER r:s 9223372036854775807
        > SRANDMEMBER r:s 0
        ? SRANDMEMBER r:s
        ? SRANDMEMBER r:s 1
        ? SRANDMEMBER r:s 3
        ? SRANDMEMBER r:s 4
        ? SRANDMEMBER r:s -1
        ? SRANDMEMBER r:s -20
        > SCARD r:s
        > SADD r:h a b c
        ~ SRANDMEMBER r:h 3
        ~ SRANDMEMBER r:h 100
        ? SRANDMEMBER r:h 2
        ? SRANDMEMBER r:h -7
        > SRANDMEMBER r:nokey
        > SRANDMEMBER r:nokey 3
        > SRANDMEMBER r:nokey -3
        > SRANDMEMBER r:nokey 0
        > SRANDMEMBER r:nokey x
        > SRANDMEMBER r:s x
        > SRANDMEMBER r:s 1.5
        > SRANDMEMBER r:s 1 2
        > SRANDMEMBER r:s -9223372036854775808
        > SRANDMEMBER r:s ""
        """);

    [Fact]
    public async Task KeyspaceHitsAndMissesAreCountedAsRedisCountsThem()
    {
        var script = """
            > SADD k:s a 1
            > SADD k:i 1 2 3
            > SISMEMBER k:s a
            > SISMEMBER k:nokey a
            > SMISMEMBER k:s a b
            > SMISMEMBER k:nokey a
            > SCARD k:s
            > SCARD k:nokey
            > SMEMBERS k:i
            > SMEMBERS k:nokey
            ? SSCAN k:s 0
            > SSCAN k:nokey 0
            ? SRANDMEMBER k:s -1
            > SRANDMEMBER k:nokey
            > SINTER k:s k:nokey k:i
            > SINTERCARD 2 k:i k:nokey
            ~ SUNION k:s k:i
            > SDIFF k:nokey k:s
            > SINTERSTORE k:d k:s k:nokey
            > SUNIONSTORE k:d k:s k:i
            > SDIFFSTORE k:d k:i k:s k:nokey
            > SMOVE k:nokey k:d a
            > SMOVE k:s k:d a
            > SPOP k:nokey
            > SPOP k:nokey 2
            > SPOP k:i 100
            > SREM k:nokey a
            > SADD k:s b
            """;
        await using var redis = await RespSocket.ConnectAsync(servers.RedisEndPoint);
        await using var pepper = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        await redis.CommandAsync("CONFIG", "RESETSTAT");
        await pepper.CommandAsync("CONFIG", "RESETSTAT");
        await RunAsync(script);
        Assert.Equal(Counters((await redis.CommandAsync("INFO", "stats")).Text), Counters((await pepper.CommandAsync("INFO", "stats")).Text));
    }

    [Fact]
    public async Task CommandInfoGivesRedisArityFlagsKeysCategoriesAndKeySpecs()
    {
        await using var redis = await RespSocket.ConnectAsync(servers.RedisEndPoint);
        await using var pepper = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        string[] names =
        [
            "sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop", "srandmember", "smove", "sinter",
            "sintercard", "sinterstore", "sunion", "sunionstore", "sdiff", "sdiffstore", "sscan",
        ];
        foreach (var name in names)
        {
            var want = (await redis.CommandAsync("COMMAND", "INFO", name)).Items![0].Items!;
            var got = (await pepper.CommandAsync("COMMAND", "INFO", name)).Items![0].Items!;
            // Name, arity, flags, first key, last key, step, ACL categories, tips and key specs: byte for byte.
            for (var i = 0; i < 9; i++)
            {
                Assert.True(want[i].Raw.AsSpan().SequenceEqual(got[i].Raw), $"{name} field {i}: redis {want[i]}, pepper {got[i]}");
            }
        }
    }

    [Fact]
    public async Task CommandDocsNameTheArgumentsAndTheirKeySpecsAsRedisDoes()
    {
        await using var redis = await RespSocket.ConnectAsync(servers.RedisEndPoint);
        await using var pepper = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        foreach (var name in new[] { "sadd", "smove", "spop", "sintercard", "sinterstore", "sunionstore", "sscan" })
        {
            var want = Arguments((await redis.CommandAsync("COMMAND", "DOCS", name)).Items![1]);
            var got = Arguments((await pepper.CommandAsync("COMMAND", "DOCS", name)).Items![1]);
            Assert.Equal(want, got);
        }
    }

    /// <summary>Each top-level argument of a COMMAND DOCS entry as "name:type:key_spec_index".</summary>
    private static List<string> Arguments(RespValue doc)
    {
        var fields = doc.Items!;
        var arguments = fields[fields.FindIndex(f => f.Text == "arguments") + 1].Items!;
        return arguments.Select(argument =>
        {
            var map = argument.Items!;
            string Field(string key) => map.FindIndex(f => f.Text == key) is var i and >= 0 ? map[i + 1].Text : "-";
            return $"{Field("name")}:{Field("type")}:{Field("key_spec_index")}";
        }).ToList();
    }

    private static string Counters(string info) =>
        string.Join(' ', info.Split("\r\n").Where(l => l.StartsWith("keyspace_", StringComparison.Ordinal)));
}
