namespace PepperCache.Server.Tests.SortedSets;

// Ranges: ZRANGE with every option, the older forms, lex bounds, counts, range removal and pops.
public sealed partial class SortedSetCommandsDifferentialTests
{
    [Fact]
    public Task RankRangesWithNegativeIndexes() => RunAsync("""
        > ZADD r:z 1 a 2 b 3 c 4 d 5 e
        > ZRANGE r:z 0 -1
        > ZRANGE r:z 1 3 WITHSCORES
        > ZRANGE r:z -2 -1
        > ZRANGE r:z -100 100
        > ZRANGE r:z 3 1
        > ZRANGE r:z 5 10
        > ZRANGE r:z 0 0 REV
        > ZRANGE r:z 0 -1 REV WITHSCORES
        > ZREVRANGE r:z 0 1
        > ZREVRANGE r:z -1 -1 WITHSCORES
        > ZRANGE r:z 0 1 LIMIT 0 1
        > ZRANGE r:z 0 1 LIMIT 0 -1
        > ZRANGE r:z a 1
        > ZRANGE r:z 0 1 WITHSCORES WITHSCORES
        > ZRANGE r:z 0 1 REV REV
        > ZRANGE r:z 0 1 BYSCORE BYLEX
        > ZRANGE r:z 0 1 LIMIT 0
        > ZRANGE r:z 0 1 LIMIT x 1
        > ZRANGE r:z 0 1 bogus
        > ZRANGE r:nokey 0 -1
        > ZREVRANGE r:z 0 1 REV
        """);

    [Fact]
    public Task ScoreRangesWithInfinitiesAndLimits() => RunAsync("""
        > ZADD s:z -inf ninf 1 a 2 b 2 c 3 d 4.5 e inf pinf
        > ZRANGEBYSCORE s:z -inf +inf WITHSCORES
        > ZRANGEBYSCORE s:z (1 3
        > ZRANGEBYSCORE s:z (1 (3
        > ZRANGEBYSCORE s:z 2 2
        > ZRANGEBYSCORE s:z (2 2
        > ZRANGEBYSCORE s:z 3 1
        > ZRANGEBYSCORE s:z "" 2
        > ZRANGEBYSCORE s:z " 1" "(1e400"
        > ZRANGEBYSCORE s:z ( 10
        > ZRANGEBYSCORE s:z -inf inf LIMIT 1 2
        > ZRANGEBYSCORE s:z -inf inf LIMIT 1 -5
        > ZRANGEBYSCORE s:z -inf inf LIMIT -1 2
        > ZRANGEBYSCORE s:z -inf inf LIMIT 10 2
        > ZRANGEBYSCORE s:z -inf inf LIMIT 0 0
        > ZRANGEBYSCORE s:z -inf inf WITHSCORES LIMIT 2 3
        > ZREVRANGEBYSCORE s:z +inf -inf
        > ZREVRANGEBYSCORE s:z 3 (1 WITHSCORES
        > ZREVRANGEBYSCORE s:z inf -inf LIMIT 1 2
        > ZRANGE s:z 1 3 BYSCORE
        > ZRANGE s:z 3 1 BYSCORE REV LIMIT 0 2 WITHSCORES
        > ZRANGE s:z (1 inf BYSCORE LIMIT 1 10
        > ZCOUNT s:z -inf +inf
        > ZCOUNT s:z (1 3
        > ZCOUNT s:z 5 1
        > ZCOUNT s:nokey 0 1
        > ZCOUNT s:z a 1
        > ZCOUNT s:z nan 1
        > ZRANGEBYSCORE s:z 1 a
        > ZRANGEBYSCORE s:z 1 2 BYSCORE
        > ZRANGEBYSCORE s:z 1 2 REV
        > ZREVRANGEBYSCORE s:z 1 2 REV
        > ZRANGEBYSCORE s:nokey 0 1
        > ZRANGEBYSCORE s:z 0 1 LIMIT 0 1 LIMIT 1 1
        """);

    [Fact]
    public Task LexRangesWithEveryBoundKind() => RunAsync("""
        > ZADD l:z 0 a 0 b 0 c 0 d 0 e 0 f 0 "" 0 "b\x00"
        > ZRANGEBYLEX l:z - +
        > ZRANGEBYLEX l:z [b [d
        > ZRANGEBYLEX l:z (b (d
        > ZRANGEBYLEX l:z [b (b
        > ZRANGEBYLEX l:z (b +
        > ZRANGEBYLEX l:z - [c
        > ZRANGEBYLEX l:z + -
        > ZRANGEBYLEX l:z - -
        > ZRANGEBYLEX l:z + +
        > ZRANGEBYLEX l:z [ +
        > ZRANGEBYLEX l:z ( (a
        > ZRANGEBYLEX l:z - + LIMIT 2 3
        > ZRANGEBYLEX l:z - + LIMIT 2 -1
        > ZRANGEBYLEX l:z - + LIMIT -2 3
        > ZREVRANGEBYLEX l:z + -
        > ZREVRANGEBYLEX l:z [d (a LIMIT 1 2
        > ZRANGE l:z [a [c BYLEX
        > ZRANGE l:z [c [a BYLEX REV
        > ZRANGE l:z - + BYLEX WITHSCORES
        > ZRANGEBYLEX l:z - + WITHSCORES
        > ZLEXCOUNT l:z - +
        > ZLEXCOUNT l:z [b (d
        > ZLEXCOUNT l:z + -
        > ZLEXCOUNT l:nokey - +
        > ZRANGEBYLEX l:z a b
        > ZRANGEBYLEX l:z "" +
        > ZRANGEBYLEX l:z -- +
        > ZRANGEBYLEX l:z - ++
        > ZLEXCOUNT l:z x +
        > ZREMRANGEBYLEX l:z x +
        > ZREMRANGEBYLEX l:z [b [c
        > ZRANGE l:z 0 -1
        > ZREMRANGEBYLEX l:z - +
        > EXISTS l:z
        """);

    [Fact]
    public Task RemoveRangesAndStore() => RunAsync("""
        > ZADD m:z 1 a 2 b 3 c 4 d 5 e 6 f
        > ZREMRANGEBYRANK m:z 0 0
        > ZREMRANGEBYRANK m:z -1 -1
        > ZREMRANGEBYRANK m:z 5 10
        > ZREMRANGEBYRANK m:z 2 1
        > ZREMRANGEBYRANK m:z x 1
        > ZRANGE m:z 0 -1 WITHSCORES
        > ZREMRANGEBYSCORE m:z (2 3
        > ZREMRANGEBYSCORE m:z a 3
        > ZREMRANGEBYSCORE m:nokey 0 1
        > ZRANGE m:z 0 -1 WITHSCORES
        > ZADD m:src 1 a 2 b 3 c 4 d
        > ZRANGESTORE m:dst m:src 1 2
        > ZRANGE m:dst 0 -1 WITHSCORES
        > ZRANGESTORE m:dst m:src (1 3 BYSCORE REV
        > ZRANGESTORE m:dst m:src 3 (1 BYSCORE REV LIMIT 0 1
        > ZRANGE m:dst 0 -1 WITHSCORES
        > ZRANGESTORE m:dst m:src [a [b BYLEX
        > ZRANGESTORE m:dst m:src 10 20
        > EXISTS m:dst
        > ZRANGESTORE m:dst m:nokey 0 -1
        > SET m:str x
        > ZRANGESTORE m:str m:src 0 0
        > TYPE m:str
        > ZRANGESTORE m:dst m:src 0 1 WITHSCORES
        > ZRANGESTORE m:dst m:src 0 1 LIMIT 0 1
        > ZRANGESTORE m:src m:src 0 0
        > ZRANGE m:src 0 -1 WITHSCORES
        > ZREMRANGEBYRANK m:z 0 -1
        > EXISTS m:z
        """);

    [Fact]
    public Task PopsFromEitherEnd() => RunAsync("""
        > ZADD p:z 1 a 2 b 3 c 4 d 5 e
        > ZPOPMIN p:z
        > ZPOPMAX p:z
        > ZPOPMIN p:z 2
        > ZPOPMAX p:z 0
        > ZPOPMAX p:z -1
        > ZPOPMAX p:z x
        > ZPOPMAX p:z 10
        > EXISTS p:z
        > ZPOPMIN p:z
        > ZPOPMIN p:z 3
        > ZADD p:y 1 a 2 b 3 c
        > ZMPOP 2 p:none p:y MIN
        > ZMPOP 2 p:none p:y MAX COUNT 5
        > ZMPOP 2 p:none p:y MAX
        > ZMPOP 0 p:y MIN
        > ZMPOP -1 p:y MIN
        > ZMPOP x p:y MIN
        > ZMPOP 3 p:y MIN
        > ZMPOP 1 p:y LEFT
        > ZMPOP 1 p:y MIN COUNT 0
        > ZMPOP 1 p:y MIN COUNT x
        > ZMPOP 1 p:y MIN COUNT 1 COUNT 1
        > ZMPOP 1 p:y MIN extra
        > ZADD p:x 1 a
        > ZMPOP 1 p:x min count 2
        """);

    [Fact]
    public Task RandomMembersHaveRedisShapes() => RunAsync("""
        > ZADD q:z 1 a 2 b 3 c 4 d 5 e
        ? ZRANDMEMBER q:z
        ? ZRANDMEMBER q:z 2
        ? ZRANDMEMBER q:z -8 WITHSCORES
        ? ZRANDMEMBER q:z 4 WITHSCORES
        > ZRANDMEMBER q:z 5 WITHSCORES
        > ZRANDMEMBER q:z 50
        > ZRANDMEMBER q:z 0
        > ZRANDMEMBER q:nokey
        > ZRANDMEMBER q:nokey 3
        > ZRANDMEMBER q:z 1 withscore
        > ZRANDMEMBER q:z 1 WITHSCORES x
        > ZRANDMEMBER q:z x
        > ZRANDMEMBER q:z -9223372036854775808
        > ZRANDMEMBER q:z 9223372036854775807 WITHSCORES
        """);
}
