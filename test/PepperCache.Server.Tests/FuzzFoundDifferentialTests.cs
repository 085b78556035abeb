using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// Differences from redis-server 7.0.15 that <c>bench/difffuzz.py</c> (random command scripts played on both) found,
/// each pinned here as the script that shows it, replies compared byte for byte.
/// </summary>
public sealed class FuzzFoundDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    /// <summary>The key's type before a bad number (INCRBYFLOAT, GETEX) or size (SETRANGE), ZADD's flag conflicts before INCR's count.</summary>
    [Fact]
    public Task ErrorsInRedisOrder() => RunAsync("""
        > LPUSH e:l x
        > INCRBYFLOAT e:l abc
        > INCRBYFLOAT e:l ""
        > INCRBYFLOAT e:nokey abc
        > SET e:s notafloat
        > INCRBYFLOAT e:s abc
        > GETEX e:l EX -1
        > GETEX e:l PX abc
        > GETEX e:nokey EX abc
        > GETEX e:s EX 0
        > ZADD e:z NX XX INCR 1 a 2 b
        > ZADD e:z NX GT INCR 1 a 2 b
        > ZADD e:z LT GT CH INCR 1 a 2 b
        > ZADD e:z XX INCR 1 a 2 b
        > ZADD e:z NX XX 1 a
        > SETRANGE e:l 536870911 abc
        > SETRANGE e:nokey 536870911 abc
        > SETRANGE e:s 536870911 abc
        > SETRANGE e:l 1 ""
        """);

    /// <summary>
    /// SHUTDOWN's argument errors (the forms that do not stop a server: the node under test is shared). Redis 7.0
    /// checks every word, then the combinations, then ABORT, which finds nothing to abort without replicas.
    /// </summary>
    [Fact]
    public Task ShutdownArgumentErrors() => RunAsync("""
        > SHUTDOWN ABORT
        > shutdown abort
        > SHUTDOWN SAVE NOSAVE
        > SHUTDOWN NOSAVE SAVE NOW
        > SHUTDOWN ABORT NOW
        > SHUTDOWN ABORT FORCE
        > SHUTDOWN NOW FOO
        > SHUTDOWN FOO ABORT
        """);
}
