using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Hashes;

/// <summary>
/// The hash commands against redis-server 7.0.15 and a PepperCache node: the same scripts, replies compared byte for
/// byte (in any order only where a hashtable's order is each server's own, and by shape where the content is random).
/// Each test uses its own key prefix; the two servers live for the class. Split by concern: this file (commands,
/// errors, counters) and <c>HashCommandsDifferentialTests.Sizes.cs</c> (encodings and their limits, a huge hash).
/// </summary>
public sealed partial class HashCommandsDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    private Task RunAsync(IEnumerable<DifferentialStep> steps) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, steps);

    [Fact]
    public Task SetGetDeleteAndListpackOrder() => RunAsync("""
        > HSET b:h f1 v1
        > HSET b:h f2 v2 f3 v3 f1 again
        > HGET b:h f1
        > HGET b:h nosuch
        > HGET b:nokey f1
        > HMGET b:h f1 nosuch f3 f1
        > HMGET b:nokey a b
        > HLEN b:h
        > HLEN b:nokey
        > HEXISTS b:h f2
        > HEXISTS b:h nosuch
        > HEXISTS b:nokey f
        > HSTRLEN b:h f1
        > HSTRLEN b:h nosuch
        > HSTRLEN b:nokey f
        > HGETALL b:h
        > HKEYS b:h
        > HVALS b:h
        > HGETALL b:nokey
        > HKEYS b:nokey
        > HVALS b:nokey
        > HDEL b:h f2 nosuch f2
        > HSET b:h f2 back f0 zero
        > HGETALL b:h
        > HMSET b:h f1 "" "" empty
        > HGETALL b:h
        > HGET b:h ""
        > OBJECT ENCODING b:h
        > TYPE b:h
        > HDEL b:h f1 f3 "" f2 f0
        > EXISTS b:h
        > HDEL b:h f1
        > HSET b:bin "\x00\xff\r\n" "\x00v\xfe" plain "\r\n"
        > HGETALL b:bin
        > HGET b:bin "\x00\xff\r\n"
        > HSTRLEN b:bin "\x00\xff\r\n"
        > HDEL b:bin "\x00\xff\r\n"
        > HGETALL b:bin
        """);

    [Fact]
    public Task ArityWrongTypeAndErrors() => RunAsync("""
        > SET e:s v
        > HSET e:s f v
        > HSETNX e:s f v
        > HMSET e:s f v
        > HGET e:s f
        > HMGET e:s f
        > HDEL e:s f
        > HLEN e:s
        > HSTRLEN e:s f
        > HEXISTS e:s f
        > HGETALL e:s
        > HKEYS e:s
        > HVALS e:s
        > HINCRBY e:s f 1
        > HINCRBYFLOAT e:s f 1
        > HRANDFIELD e:s
        > HRANDFIELD e:s 2
        > HSCAN e:s 0
        > HSET e:h f v
        > GET e:h
        > SET e:h2 x
        > APPEND e:h x
        > INCR e:h
        > STRLEN e:h
        > GETRANGE e:h 0 1
        > MGET e:h e:s
        > HSET e:h a
        > HSET e:h a 1 b
        > HMSET e:h a 1 b
        > HSET e:h
        > HGET e:h
        > HGET e:h a b
        > HMGET e:h
        > HDEL e:h
        > HLEN
        > HSETNX e:h a
        > HSTRLEN e:h
        > HEXISTS e:h
        > HGETALL
        > HINCRBY e:h a
        > HINCRBYFLOAT e:h a
        > HRANDFIELD
        > HSCAN e:h
        > SET e:h plain
        > GET e:h
        > TYPE e:h
        """);

    [Fact]
    public Task KeyspaceCommandsOnAHash() => RunAsync("""
        > HSET ks:h a 1 b 2
        > PEXPIREAT ks:h 32503680000000
        > PEXPIRETIME ks:h
        > HSET ks:h c 3
        > PEXPIRETIME ks:h
        > PERSIST ks:h
        > PEXPIRETIME ks:h
        > EXISTS ks:h
        > TYPE ks:h
        > RENAME ks:h ks:h2
        > HGETALL ks:h2
        > OBJECT ENCODING ks:h2
        > SET ks:s v
        > RENAME ks:s ks:h2
        > TYPE ks:h2
        > HSET ks:h3 f v
        > RENAME ks:h3 ks:h2
        > HGET ks:h2 f
        > SCAN 0 MATCH ks:* TYPE hash COUNT 100000
        > DEL ks:h2
        > HSET ks:gone f v
        > PEXPIREAT ks:gone 1
        > EXISTS ks:gone
        > HGET ks:gone f
        """);

    [Fact]
    public Task SetIfMissing() => RunAsync("""
        > HSETNX nx:h f v
        > HSETNX nx:h f w
        > HGET nx:h f
        > HSETNX nx:h g w
        > HGETALL nx:h
        > HSETNX nx:h f "a value longer than sixty-four bytes .................................."
        > OBJECT ENCODING nx:h
        > HSETNX nx:h h "a value longer than sixty-four bytes .................................."
        > OBJECT ENCODING nx:h
        """);

    [Fact]
    public Task IncrementByInteger() => RunAsync("""
        > HINCRBY i:h n 5
        > HINCRBY i:h n -12
        > HINCRBY i:h n 0
        > HGET i:h n
        > HINCRBY i:h n x
        > HINCRBY i:h n 1.5
        > HINCRBY i:h n 9223372036854775808
        > HINCRBY i:h n ""
        > HSET i:h s abc sp " 1" z 007 big 9223372036854775807 small -9223372036854775808
        > HINCRBY i:h s 1
        > HINCRBY i:h sp 1
        > HINCRBY i:h z 1
        > HINCRBY i:h big 1
        > HINCRBY i:h big 0
        > HINCRBY i:h big -1
        > HINCRBY i:h small -1
        > HINCRBY i:h small 1
        > HINCRBY i:nokey n x
        > EXISTS i:nokey
        > HINCRBY i:h2 f 9223372036854775807
        > HINCRBY i:h2 f 1
        > HINCRBY i:h2 "a field longer than sixty-four bytes ......................................" 1
        > OBJECT ENCODING i:h2
        > HGETALL i:h
        """);

    [Fact]
    public Task IncrementByFloat() => RunAsync("""
        > HINCRBYFLOAT f:h a 0.1
        > HINCRBYFLOAT f:h a 0.2
        > HINCRBYFLOAT f:h a -0.3
        > HINCRBYFLOAT f:h b 10.50
        > HINCRBYFLOAT f:h b 5.0e3
        > HINCRBYFLOAT f:h c 0x10
        > HINCRBYFLOAT f:h d 1e300
        > HINCRBYFLOAT f:h d 1e300
        > HINCRBYFLOAT f:h e 3.0000000000000000001
        > HINCRBYFLOAT f:h g -0
        > HINCRBYFLOAT f:h h 1.123456789012345678901234567890e-10
        > HINCRBYFLOAT f:h i 1e70
        > OBJECT ENCODING f:h
        > HINCRBYFLOAT f:h x inf
        > HINCRBYFLOAT f:h x -inf
        > HINCRBYFLOAT f:h x +Infinity
        > HINCRBYFLOAT f:h x nan
        > HINCRBYFLOAT f:h x abc
        > HINCRBYFLOAT f:h x " 1"
        > HINCRBYFLOAT f:h x "1 "
        > HINCRBYFLOAT f:h x ""
        > HINCRBYFLOAT f:h x 1e5000
        > HINCRBYFLOAT f:h x 1e-5000
        > HSET f:h s abc big 1e4932 num " 2" inf inf
        > HINCRBYFLOAT f:h s 1
        > HINCRBYFLOAT f:h num 1
        > HINCRBYFLOAT f:h big 1e4932
        > HINCRBYFLOAT f:h inf 1
        > HINCRBYFLOAT f:h big 0
        > HINCRBYFLOAT f:nokey x abc
        > EXISTS f:nokey
        ~~ HGETALL f:h
        """);

    [Fact]
    public Task RandomFields() => RunAsync("""
        > HSET r:h a 1 b 2 c 3 d 4 e 5
        > HRANDFIELD r:h 5
        > HRANDFIELD r:h 6 WITHVALUES
        > HRANDFIELD r:h 100 withvalues
        > HRANDFIELD r:h 0
        > HRANDFIELD r:h 0 WITHVALUES
        ? HRANDFIELD r:h
        ? HRANDFIELD r:h 1
        ? HRANDFIELD r:h 1 WITHVALUES
        ? HRANDFIELD r:h 3
        ? HRANDFIELD r:h 4 WITHVALUES
        ? HRANDFIELD r:h -1
        ? HRANDFIELD r:h -20 WITHVALUES
        > HRANDFIELD r:nokey
        > HRANDFIELD r:nokey 3
        > HRANDFIELD r:nokey -3 WITHVALUES
        > HRANDFIELD r:nokey x
        > HRANDFIELD r:h x
        > HRANDFIELD r:h 1.5
        > HRANDFIELD r:h 1 WITHVALUE
        > HRANDFIELD r:h 1 WITHVALUES x
        > HRANDFIELD r:h -9223372036854775808
        > HRANDFIELD r:h 9223372036854775807 WITHVALUES
        > HRANDFIELD r:h -4611686018427387904 WITHVALUES
        > HRANDFIELD r:h 4611686018427387903 WITHVALUES
        > HRANDFIELD r:h 9223372036854775807
        """);

    [Fact]
    public Task ScanListpackAndItsErrors() => RunAsync("""
        > HSET s:h a1 1 b1 2 a2 3 "a*" 4
        > HSCAN s:h 0
        > HSCAN s:h 0 COUNT 1
        > HSCAN s:h 0 MATCH a*
        > HSCAN s:h 0 MATCH a\* COUNT 100
        > HSCAN s:h 0 match * count 2
        > HSCAN s:h 0 COUNT 1 COUNT 2 MATCH x MATCH a?
        > HSCAN s:h 17
        > HSCAN s:h 18446744073709551615
        > HSCAN s:h -1
        > HSCAN s:h 18446744073709551616
        > HSCAN s:h x
        > HSCAN s:h ""
        > HSCAN s:h 0 COUNT 0
        > HSCAN s:h 0 COUNT -1
        > HSCAN s:h 0 COUNT x
        > HSCAN s:h 0 MATCH
        > HSCAN s:h 0 TYPE string
        > HSCAN s:h 0 NOVALUES
        > HSCAN s:nokey 0
        > HSCAN s:nokey 0 COUNT 0
        > HSCAN s:nokey 0 NOVALUES
        > HSCAN s:nokey x
        """);

    [Fact]
    public async Task KeyspaceHitsAndMissesAreCountedAsRedisCountsThem()
    {
        var script = """
            > HSET k:h a 1
            > HGET k:h a
            > HGET k:h missing
            > HGET k:nokey a
            > HMGET k:h a b
            > HMGET k:nokey a
            > HLEN k:h
            > HLEN k:nokey
            > HEXISTS k:h a
            > HSTRLEN k:nokey a
            > HGETALL k:h
            > HKEYS k:nokey
            > HVALS k:h
            > HSCAN k:h 0
            > HSCAN k:nokey 0
            > HRANDFIELD k:h -1
            > HRANDFIELD k:nokey
            > HSETNX k:h b 2
            > HINCRBY k:h c 1
            > HINCRBYFLOAT k:h c 1
            > HDEL k:nokey a
            > HSET k:h d 1
            """;
        await using var redis = await RespSocket.ConnectAsync(servers.RedisEndPoint);
        await using var pepper = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        await redis.CommandAsync("CONFIG", "RESETSTAT");
        await pepper.CommandAsync("CONFIG", "RESETSTAT");
        await RunAsync(script);
        Assert.Equal(Counters((await redis.CommandAsync("INFO", "stats")).Text), Counters((await pepper.CommandAsync("INFO", "stats")).Text));
    }

    [Fact]
    public async Task CommandInfoGivesRedisArityFlagsKeysCategoriesAndTips()
    {
        await using var redis = await RespSocket.ConnectAsync(servers.RedisEndPoint);
        await using var pepper = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        string[] names =
        [
            "hset", "hsetnx", "hmset", "hdel", "hincrby", "hincrbyfloat", "hget", "hmget", "hexists", "hlen", "hstrlen",
            "hgetall", "hkeys", "hvals", "hrandfield", "hscan",
        ];
        foreach (var name in names)
        {
            var want = (await redis.CommandAsync("COMMAND", "INFO", name)).Items![0].Items!;
            var got = (await pepper.CommandAsync("COMMAND", "INFO", name)).Items![0].Items!;
            // Name, arity, flags, first key, last key, step, ACL categories and tips: byte for byte.
            for (var i = 0; i < 8; i++)
            {
                Assert.True(want[i].Raw.AsSpan().SequenceEqual(got[i].Raw), $"{name} field {i}: redis {want[i]}, pepper {got[i]}");
            }
        }
    }

    private static string Counters(string info) =>
        string.Join(' ', info.Split("\r\n").Where(l => l.StartsWith("keyspace_", StringComparison.Ordinal)));

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static DifferentialStep Step(Comparison comparison, params IEnumerable<byte[]> command) => new(comparison, [.. command]);
}
