namespace PepperCache.Server.Tests.SortedSets;

// Union, intersection and difference: weights, aggregates, infinities, the STORE forms and their errors.
public sealed partial class SortedSetCommandsDifferentialTests
{
    [Fact]
    public Task UnionInterDiffWithWeightsAndAggregates() => RunAsync("""
        > ZADD {g}a 1 a 2 b 3 c
        > ZADD {g}b 10 b 20 c 30 d
        > ZADD {g}c 100 c 200 e
        > ZUNION 2 {g}a {g}b WITHSCORES
        > ZUNION 3 {g}a {g}b {g}c WEIGHTS 1 2 0.5 WITHSCORES
        > ZUNION 2 {g}a {g}b AGGREGATE MIN WITHSCORES
        > ZUNION 2 {g}a {g}b AGGREGATE max WITHSCORES
        > ZUNION 2 {g}a {g}nokey WITHSCORES
        > ZINTER 2 {g}a {g}b WITHSCORES
        > ZINTER 2 {g}a {g}b WEIGHTS 2 -1 AGGREGATE SUM WITHSCORES
        > ZINTER 3 {g}a {g}b {g}c WITHSCORES
        > ZINTER 2 {g}a {g}nokey
        > ZDIFF 2 {g}a {g}b WITHSCORES
        > ZDIFF 3 {g}b {g}a {g}c
        > ZDIFF 1 {g}nokey
        > ZINTERCARD 2 {g}a {g}b
        > ZINTERCARD 2 {g}a {g}b LIMIT 1
        > ZINTERCARD 2 {g}a {g}b LIMIT 0
        > ZINTERCARD 2 {g}a {g}b LIMIT -1
        > ZINTERCARD 2 {g}a {g}b LIMIT x
        > ZINTERCARD 2 {g}a {g}b WEIGHTS 1 1
        > ZINTERCARD 0 {g}a
        > ZUNION 0 {g}a
        > ZUNION -1 {g}a
        > ZUNION x {g}a
        > ZUNION 3 {g}a {g}b
        > ZUNION 2 {g}a {g}b WEIGHTS 1
        > ZUNION 2 {g}a {g}b WEIGHTS 1 x
        > ZUNION 2 {g}a {g}b WEIGHTS 1 nan
        > ZUNION 2 {g}a {g}b AGGREGATE avg
        > ZUNION 2 {g}a {g}b AGGREGATE
        > ZDIFF 2 {g}a {g}b WEIGHTS 1 1
        > ZDIFF 2 {g}a {g}b AGGREGATE MIN
        > ZUNIONSTORE {g}d 2 {g}a {g}b WEIGHTS 1 2
        > ZRANGE {g}d 0 -1 WITHSCORES
        > ZINTERSTORE {g}d 2 {g}a {g}b AGGREGATE MAX
        > ZRANGE {g}d 0 -1 WITHSCORES
        > ZDIFFSTORE {g}d 2 {g}a {g}b
        > ZRANGE {g}d 0 -1 WITHSCORES
        > ZUNIONSTORE {g}d 2 {g}a {g}b WITHSCORES
        > ZINTERSTORE {g}d 2 {g}a {g}nokey
        > EXISTS {g}d
        > ZUNIONSTORE {g}a 2 {g}a {g}b
        > ZRANGE {g}a 0 -1 WITHSCORES
        > ZUNIONSTORE {g}d 0 {g}a
        > ZDIFFSTORE {g}d 0 {g}a
        > SET {g}s x
        > ZUNION 2 {g}a {g}s WEIGHTS x y
        > ZUNIONSTORE {g}s 1 {g}b
        > TYPE {g}s
        """);

    [Fact]
    public Task InfinitiesInWeightsAndSums() => RunAsync("""
        > ZADD {i}a inf x -inf y 0 z 1 w
        > ZADD {i}b -inf x -inf y 5 z inf w
        > ZUNION 2 {i}a {i}b WITHSCORES
        > ZUNION 2 {i}a {i}b WEIGHTS 0 1 WITHSCORES
        > ZUNION 2 {i}a {i}b WEIGHTS inf -inf WITHSCORES
        > ZINTER 2 {i}a {i}b AGGREGATE MIN WITHSCORES
        > ZINTER 2 {i}a {i}b AGGREGATE MAX WITHSCORES
        > ZADD {i}c 0.1 x 0.2 y
        > ZADD {i}d 0.2 x 0.1 y
        > ZADD {i}e 0.3 x 0.3 y 0.5 q
        > ZUNION 3 {i}e {i}c {i}d WITHSCORES
        > ZINTER 3 {i}e {i}c {i}d WITHSCORES
        """);
}
