using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.SortedSets;

// Sizes: the listpack limits at both thresholds (and their CONFIG), and a set of thousands of members.
public sealed partial class SortedSetCommandsDifferentialTests
{
    [Fact]
    public async Task EncodingFollowsTheListpackLimitsAndTheirConfig()
    {
        try
        {
            await RunAsync("""
                > CONFIG GET zset-max-listpack-entries
                > CONFIG GET zset-max-ziplist-entries
                > CONFIG GET zset-max-listpack-value
                > CONFIG GET zset-max-ziplist-value
                > ZADD c:v 1 "0123456789012345678901234567890123456789012345678901234567890123"
                > OBJECT ENCODING c:v
                > ZADD c:v 2 "01234567890123456789012345678901234567890123456789012345678901234"
                > OBJECT ENCODING c:v
                > ZREM c:v "01234567890123456789012345678901234567890123456789012345678901234"
                > OBJECT ENCODING c:v
                > ZADD c:k 1 "01234567890123456789012345678901234567890123456789012345678901234"
                > OBJECT ENCODING c:k
                > CONFIG SET zset-max-ziplist-entries 3
                > CONFIG GET zset-max-listpack-entries
                > ZADD c:n 1 a 2 b 3 c
                > OBJECT ENCODING c:n
                > ZADD c:n 4 a
                > OBJECT ENCODING c:n
                > ZADD c:n 4 d
                > OBJECT ENCODING c:n
                > ZPOPMIN c:n 3
                > OBJECT ENCODING c:n
                > ZUNIONSTORE c:n2 1 c:n
                > OBJECT ENCODING c:n2
                > ZADD c:n5 1 a 2 b 3 c 4 d 5 e
                > ZRANGESTORE c:n6 c:n5 0 2
                > OBJECT ENCODING c:n6
                > ZRANGESTORE c:n6 c:n5 0 3
                > OBJECT ENCODING c:n6
                > CONFIG SET zset-max-listpack-value 2
                > ZADD c:w 1 ab
                > OBJECT ENCODING c:w
                > ZADD c:w 2 abc
                > OBJECT ENCODING c:w
                > CONFIG SET zset-max-listpack-value 1kb
                > CONFIG GET zset-max-listpack-value
                > CONFIG SET zset-max-listpack-entries -1
                > CONFIG SET zset-max-listpack-entries x
                > CONFIG SET zset-max-listpack-entries 0
                > ZADD c:z 1 a
                > OBJECT ENCODING c:z
                """);
        }
        finally
        {
            await RunAsync("""
                > CONFIG SET zset-max-listpack-entries 128
                > CONFIG SET zset-max-listpack-value 64
                """);
        }

        // Exactly at the entry limit a listpack; one more member converts it.
        var steps = new List<DifferentialStep>();
        var members = new List<byte[]> { B("ZADD"), B("c:128") };
        for (var i = 0; i < 128; i++)
        {
            members.Add(B($"{i % 7}"));
            members.Add(B($"member:{i}"));
        }

        steps.Add(Step(Comparison.Exact, members));
        steps.AddRange(DifferentialScript.Parse("""
            > OBJECT ENCODING c:128
            > ZRANGE c:128 0 -1 WITHSCORES
            > ZADD c:128 3 "one more"
            > OBJECT ENCODING c:128
            > ZRANGE c:128 0 -1 WITHSCORES
            > ZRANK c:128 "one more"
            """));
        await RunAsync(steps);
    }

    [Fact]
    public async Task ABigSetWithBinaryMembersAndRankQueries()
    {
        var random = new Random(4321);
        var steps = new List<DifferentialStep>();
        var members = new List<byte[]>();
        for (var i = 0; i < 12_000; i++)
        {
            var member = new byte[random.Next(1, 20)];
            random.NextBytes(member);
            members.Add([.. member, .. B($":{i}")]);
        }

        for (var start = 0; start < members.Count; start += 1000)
        {
            var command = new List<byte[]> { B("ZADD"), B("big:z") };
            foreach (var member in members.Skip(start).Take(1000))
            {
                // Few distinct scores, so ties are broken by the member bytes.
                command.Add(B((random.Next(-50, 50) / 4.0).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                command.Add(member);
            }

            steps.Add(new DifferentialStep(Comparison.Exact, command));
        }

        steps.AddRange(DifferentialScript.Parse("""
            > ZCARD big:z
            > OBJECT ENCODING big:z
            > ZRANGE big:z 0 99 WITHSCORES
            > ZRANGE big:z 5000 5100 WITHSCORES
            > ZRANGE big:z -50 -1 WITHSCORES
            > ZREVRANGE big:z 100 200
            > ZRANGEBYSCORE big:z (0 1.5 WITHSCORES LIMIT 10 20
            > ZREVRANGEBYSCORE big:z 1.5 (0 LIMIT 10 20
            > ZCOUNT big:z -5 (5
            > ZCOUNT big:z -inf +inf
            > ZINCRBY big:z 100 nosuch
            > ZRANK big:z nosuch
            % ZSCAN big:z
            % ZSCAN big:z COUNT 1000
            % ZSCAN big:z MATCH *:1?? COUNT 7
            ? ZRANDMEMBER big:z 5
            ? ZRANDMEMBER big:z 9000 WITHSCORES
            ? ZRANDMEMBER big:z -20000
            """));
        foreach (var index in new[] { 0, 1, 17, 5000, 11_999 })
        {
            steps.Add(Step(Comparison.Exact, B("ZRANK"), B("big:z"), members[index]));
            steps.Add(Step(Comparison.Exact, B("ZREVRANK"), B("big:z"), members[index]));
            steps.Add(Step(Comparison.Exact, B("ZSCORE"), B("big:z"), members[index]));
        }

        steps.Add(Step(Comparison.Exact, [B("ZMSCORE"), B("big:z"), .. members.Take(30), B("missing")]));
        steps.Add(Step(Comparison.Exact, [B("ZREM"), B("big:z"), .. members.Where((_, i) => i % 3 == 0)]));
        steps.AddRange(DifferentialScript.Parse("""
            > ZCARD big:z
            > ZRANGE big:z 3000 3100 WITHSCORES
            > ZREMRANGEBYRANK big:z 100 2000
            > ZREMRANGEBYSCORE big:z (5 10
            > ZRANGE big:z -100 -1 WITHSCORES
            > ZPOPMIN big:z 50
            > ZPOPMAX big:z 50
            % ZSCAN big:z COUNT 3
            > ZUNIONSTORE big:u 1 big:z WEIGHTS 2
            > ZRANGE big:u 1000 1100 WITHSCORES
            > OBJECT ENCODING big:u
            > ZREMRANGEBYRANK big:z 0 -1
            > EXISTS big:z
            """));
        await RunAsync(steps);
    }
}
