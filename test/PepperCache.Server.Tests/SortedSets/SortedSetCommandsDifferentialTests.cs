using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.SortedSets;

/// <summary>
/// The sorted-set commands against redis-server 7.0.15 and a PepperCache node: the same scripts, replies compared
/// byte for byte (as sets only where Redis's answer is in its hash order, by shape where it is random). Each test uses
/// its own key prefix; the two servers live for the class. Split by concern: this file (writes, reads, errors, score
/// text), <c>.Ranges.cs</c> (ZRANGE family, ZREMRANGEBY*, pops), <c>.Algebra.cs</c> (union, intersection,
/// difference) and <c>.Sizes.cs</c> (encodings, a big set, ZSCAN).
/// </summary>
public sealed partial class SortedSetCommandsDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    private Task RunAsync(IEnumerable<DifferentialStep> steps) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, steps);

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static DifferentialStep Step(Comparison comparison, params IEnumerable<byte[]> command) => new(comparison, [.. command]);

    [Fact]
    public Task AddScoreCardRankAndRemove() => RunAsync("""
        > ZADD a:z 1 one 2 two 3 three
        > ZADD a:z 1 one 5 five
        > ZCARD a:z
        > ZCARD a:nokey
        > ZSCORE a:z two
        > ZSCORE a:z nosuch
        > ZSCORE a:nokey x
        > ZMSCORE a:z one nosuch five
        > ZMSCORE a:nokey a b
        > ZRANK a:z three
        > ZREVRANK a:z three
        > ZRANK a:z nosuch
        > ZRANK a:nokey x
        > ZRANGE a:z 0 -1 WITHSCORES
        > ZREM a:z two nosuch two
        > ZRANGE a:z 0 -1
        > ZREM a:nokey x
        > ZREM a:z one three five
        > EXISTS a:z
        > ZADD a:bin 1 "\x00\xff\r\n" 1 "" 0 plain
        > ZRANGE a:bin 0 -1 WITHSCORES
        > ZSCORE a:bin "\x00\xff\r\n"
        > ZRANK a:bin ""
        > TYPE a:bin
        > OBJECT ENCODING a:bin
        """);

    [Fact]
    public Task AddOptionsAndIncrements() => RunAsync("""
        > ZADD o:z 1 a 2 b
        > ZADD o:z NX 10 a 3 c
        > ZADD o:z XX 10 a 4 d
        > ZADD o:z XX CH 11 a 4 d
        > ZADD o:z CH 11 a 12 b 1 e
        > ZADD o:z GT 5 a 20 b
        > ZADD o:z GT CH 5 a 21 b
        > ZADD o:z LT CH 5 a 21 b 7 f
        > ZADD o:z nx Xx 1 a
        > ZADD o:z GT LT 1 a
        > ZADD o:z NX GT 1 a
        > ZADD o:z NX LT 1 a
        > ZADD o:z INCR 1 a 2 b
        > ZADD o:z INCR 2.5 a
        > ZADD o:z INCR NX 2.5 a
        > ZADD o:z INCR XX 1 nosuch
        > ZADD o:z INCR GT -1 a
        > ZADD o:z INCR LT -1 a
        > ZADD o:z INCR 1 newone
        > ZINCRBY o:z 0.1 b
        > ZINCRBY o:z -inf b
        > ZINCRBY o:z +inf b
        > ZINCRBY o:z 1 fresh
        > ZINCRBY o:nokey 2 m
        > ZINCRBY o:z x m
        > ZADD o:z 1
        > ZADD o:z 1 a 2
        > ZADD o:z CH
        > ZADD o:z nan a
        > ZADD o:z 1 a x b
        > ZADD o:z "" a
        > ZADD o:z " 1" a
        > ZADD o:z "1 " a
        > ZADD o:z 1e400 a
        > ZADD o:z 1e-400 a
        > ZADD o:z 0x10 hex
        > ZADD o:z infinity big -Infinity small 4.9e-324 tiny
        > ZRANGE o:z 0 -1 WITHSCORES
        > ZADD o:x XX 1 a
        > EXISTS o:x
        > ZADD o:inf inf a
        > ZINCRBY o:inf -inf a
        > ZADD o:inf INCR -inf a
        > ZSCORE o:inf a
        """);

    [Fact]
    public Task ScoresPrintAsRedisPrintsThem() => RunAsync("""
        > ZADD f:z 1e300 a 0.1 b -0 c 3.0 d 1.5 e 123456789012345678 f 1e-5 g 0.0001 h 1e16 i 1e17 j -2.5e-10 k 2.2250738585072014e-308 l
        > ZRANGE f:z 0 -1 WITHSCORES
        > ZSCORE f:z c
        > ZSCAN f:z 0
        > CONFIG SET zset-max-listpack-entries 0
        > ZADD f:s -0 c 0.30000000000000004 d 1e300 a
        > OBJECT ENCODING f:s
        > ZRANGE f:s 0 -1 WITHSCORES
        > ZSCORE f:s c
        > ZADD f:s 0 c
        > ZSCORE f:s c
        > ZINCRBY f:s 0 c
        > CONFIG SET zset-max-listpack-entries 128
        """);

    [Fact]
    public Task WrongTypeAndArity() => RunAsync("""
        > SET e:s v
        > ZADD e:s 1 a
        > ZINCRBY e:s 1 a
        > ZREM e:s a
        > ZSCORE e:s a
        > ZMSCORE e:s a
        > ZCARD e:s
        > ZCOUNT e:s 0 1
        > ZLEXCOUNT e:s - +
        > ZRANGE e:s 0 1
        > ZRANGESTORE e:d e:s 0 1
        > ZRANGEBYSCORE e:s 0 1
        > ZREVRANGEBYSCORE e:s 1 0
        > ZRANGEBYLEX e:s - +
        > ZREVRANGEBYLEX e:s + -
        > ZREVRANGE e:s 0 1
        > ZRANK e:s a
        > ZREVRANK e:s a
        > ZPOPMIN e:s
        > ZPOPMAX e:s 2
        > ZPOPMIN e:s 0
        > ZMPOP 1 e:s MIN
        > ZRANDMEMBER e:s
        > ZRANDMEMBER e:s 2
        > ZUNION 1 e:s
        > ZINTER 1 e:s
        > ZDIFF 1 e:s
        > ZUNIONSTORE e:d 1 e:s
        > ZINTERSTORE e:d 1 e:s
        > ZDIFFSTORE e:d 1 e:s
        > ZINTERCARD 1 e:s
        > ZREMRANGEBYSCORE e:s 0 1
        > ZREMRANGEBYRANK e:s 0 1
        > ZREMRANGEBYLEX e:s - +
        > ZSCAN e:s 0
        > ZADD e:z 1 a
        > GET e:z
        > HSET e:z f v
        > ZADD e:z
        > ZINCRBY e:z 1
        > ZREM e:z
        > ZSCORE e:z
        > ZMSCORE e:z
        > ZCARD
        > ZCOUNT e:z 0
        > ZRANGE e:z 0
        > ZRANGESTORE e:d e:z 0
        > ZRANK e:z
        > ZPOPMIN
        > ZPOPMIN e:z 1 2
        > ZMPOP 1 e:z
        > ZUNION 1
        > ZUNIONSTORE e:d 1
        > ZREMRANGEBYRANK e:z 0
        > ZSCAN e:z
        > ZRANDMEMBER
        > ZINTERCARD 1
        """);
}
