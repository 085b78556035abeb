using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Sets;

// Several keys: SMOVE, the intersections, unions and differences, and their STORE forms.
public sealed partial class SetCommandsDifferentialTests
{
    [Fact]
    public Task Move() => RunAsync("""
        > SADD m:a 1 2 x
        > SADD m:b 3
        > SMOVE m:a m:b 1
        > SMEMBERS m:b
        > SMOVE m:a m:b 1
        > SMOVE m:a m:b nosuch
        > SMOVE m:a m:new x
        > SMEMBERS m:new
        > OBJECT ENCODING m:new
        > SMOVE m:a m:b 2
        > EXISTS m:a
        > SMEMBERS m:b
        > SMOVE m:nokey m:b 3
        > SMOVE m:b m:b 3
        > SMOVE m:b m:b 4
        > SMEMBERS m:b
        > SET m:str v
        > SMOVE m:str m:b 3
        > SMOVE m:b m:str 3
        > SMOVE m:nokey m:str 3
        > SMOVE m:b m:str nosuch
        > SMEMBERS m:b
        > SADD m:c 3
        > SMOVE m:b m:c 3
        > SMEMBERS m:b
        > SMEMBERS m:c
        > PEXPIREAT m:c 32503680000000
        > SMOVE m:b m:c 1
        > PEXPIRETIME m:c
        > SMOVE m:b m:d "\x00\xff"
        > SMEMBERS m:d
        > OBJECT ENCODING m:d
        """);

    [Fact]
    public Task Intersection() => RunAsync("""
        > SADD i:a 1 2 3 4 5
        > SADD i:b 5 4 3 9
        > SADD i:c 3 4 5 x
        > SINTER i:a
        > SINTER i:a i:b
        > SINTER i:b i:a i:c
        > SINTER i:a i:a
        > SINTER i:a i:nokey
        > SINTER i:nokey i:a
        > SINTER i:nokey
        ~ SINTER i:c i:c
        > SINTERCARD 1 i:a
        > SINTERCARD 2 i:a i:b
        > SINTERCARD 3 i:a i:b i:c LIMIT 2
        > SINTERCARD 3 i:a i:b i:c LIMIT 0
        > SINTERCARD 3 i:a i:b i:c limit 100
        > SINTERCARD 2 i:a i:b LIMIT 1 LIMIT 0
        > SINTERCARD 2 i:a i:nokey
        > SINTERCARD 2 i:a i:b i:c
        > SINTERCARD 0 i:a
        > SINTERCARD -1 i:a
        > SINTERCARD x i:a
        > SINTERCARD 9223372036854775808 i:a
        > SINTERCARD 3 i:a i:b
        > SINTERCARD 1 i:a LIMIT
        > SINTERCARD 1 i:a LIMIT -1
        > SINTERCARD 1 i:a LIMIT x
        > SINTERCARD 1 i:a FOO 1
        > SINTERSTORE i:d i:a i:b
        > SMEMBERS i:d
        > OBJECT ENCODING i:d
        > SINTERSTORE i:d i:a i:c
        > SMEMBERS i:d
        > SINTERSTORE i:d i:a i:nokey
        > EXISTS i:d
        > SINTERSTORE i:d i:a i:nokey
        > SET i:str v
        > SINTERSTORE i:str i:a i:b
        > TYPE i:str
        > SET i:str v
        > SINTERSTORE i:str i:a i:c x:nokey
        > EXISTS i:str
        > SADD i:ttl 1
        > PEXPIREAT i:ttl 32503680000000
        > SINTERSTORE i:ttl i:a i:b
        > PTTL i:ttl
        > SINTERSTORE i:a i:a i:b
        > SMEMBERS i:a
        > SADD i:h1 x y z
        > SADD i:h2 y z w
        ~ SINTER i:h1 i:h2
        > SINTERSTORE i:h3 i:h1 i:h2
        > OBJECT ENCODING i:h3
        > SET i:str v
        > SINTER i:a i:str
        > SINTER i:nokey i:str
        > SINTERCARD 2 i:nokey i:str
        > SINTERSTORE i:d i:a i:str
        > SINTERSTORE i:str i:a i:a
        > SMEMBERS i:str
        """);

    [Fact]
    public Task UnionAndDifference() => RunAsync("""
        > SADD u:a 3 1 2
        > SADD u:b 5 4 3
        > SADD u:c x 1
        > SUNION u:a
        > SUNION u:a u:b
        > SUNION u:a u:nokey u:b u:a
        > SUNION u:nokey
        ~ SUNION u:a u:c
        > SUNIONSTORE u:d u:a u:b
        > SMEMBERS u:d
        > OBJECT ENCODING u:d
        > SUNIONSTORE u:d u:a u:c
        ~ SMEMBERS u:d
        > OBJECT ENCODING u:d
        > SUNIONSTORE u:d u:nokey
        > EXISTS u:d
        > SUNIONSTORE u:d u:nokey
        > SDIFF u:a u:b
        > SDIFF u:a u:nokey
        > SDIFF u:nokey u:a
        > SDIFF u:a u:a
        > SDIFF u:a u:b u:c
        ~ SDIFF u:c u:a
        > SDIFF u:b
        > SDIFFSTORE u:d u:b u:a
        > SMEMBERS u:d
        > SDIFFSTORE u:d u:a u:a
        > EXISTS u:d
        > SDIFFSTORE u:d u:nokey u:a
        > SET u:str v
        > SUNION u:a u:str
        > SDIFF u:nokey u:str
        > SUNIONSTORE u:d u:a u:str
        > SDIFFSTORE u:str u:a u:b
        > TYPE u:str
        > SMEMBERS u:str
        > SUNIONSTORE u:a u:a u:b
        > SMEMBERS u:a
        > SADD u:bin "\x00" "\xff\xfe"
        ~ SUNION u:bin u:c
        ~ SDIFF u:bin u:c
        """);

    /// <summary>
    /// Redis picks one of two SDIFF algorithms by cost; the second adds the whole first set before removing, so a
    /// result that fits an intset may still be a hashtable: OBJECT ENCODING tells which one ran.
    /// </summary>
    [Fact]
    public async Task DifferenceEncodingFollowsRedisAlgorithmChoice()
    {
        var steps = new List<DifferentialStep>
        {
            Step(Comparison.Exact, ["SADD", "d:big", .. Enumerable.Range(0, 600).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            Step(Comparison.Exact, ["SADD", "d:s1", .. Enumerable.Range(0, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            Step(Comparison.Exact, ["SADD", "d:s2", .. Enumerable.Range(50, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            Step(Comparison.Exact, ["SADD", "d:s3", .. Enumerable.Range(100, 60).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            Step(Comparison.Exact, ["SADD", "d:most", .. Enumerable.Range(10, 590).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
        };
        steps.AddRange(DifferentialScript.Parse("""
            > OBJECT ENCODING d:big
            > SDIFFSTORE d:r1 d:big d:s1 d:s2 d:s3
            > OBJECT ENCODING d:r1
            ~ SMEMBERS d:r1
            > SDIFFSTORE d:r2 d:big d:most
            > OBJECT ENCODING d:r2
            > SMEMBERS d:r2
            > SDIFF d:big d:most
            > SINTERSTORE d:r3 d:big d:s1
            > OBJECT ENCODING d:r3
            > SMEMBERS d:r3
            > SINTER d:s1 d:big
            """));
        await RunAsync(steps);
    }

    private static DifferentialStep Step(Comparison comparison, params IEnumerable<string> command) =>
        new(comparison, [.. command.Select(System.Text.Encoding.UTF8.GetBytes)]);
}
