using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Sets;

// Sizes: the intset limit (and its CONFIG), what counts as an integer, SPOP's rebuild, a big set of binary members, SSCAN.
public sealed partial class SetCommandsDifferentialTests
{
    [Fact]
    public async Task EncodingFollowsTheIntsetLimitAndItsConfig()
    {
        try
        {
            await RunAsync("""
                > CONFIG GET set-max-intset-entries
                > SADD c:n 0 -1 9223372036854775807 -9223372036854775808
                > OBJECT ENCODING c:n
                > SADD c:lz 007
                > OBJECT ENCODING c:lz
                > SADD c:plus +1
                > OBJECT ENCODING c:plus
                > SADD c:negzero -0
                > OBJECT ENCODING c:negzero
                > SADD c:space " 1"
                > OBJECT ENCODING c:space
                > SADD c:big 9223372036854775808
                > OBJECT ENCODING c:big
                > SADD c:float 1.0
                > OBJECT ENCODING c:float
                > SADD c:empty ""
                > OBJECT ENCODING c:empty
                > SREM c:lz 007
                > SADD c:lz 1 2
                > OBJECT ENCODING c:lz
                > CONFIG SET set-max-intset-entries 3
                > CONFIG GET set-max-intset-entries
                > SADD c:three 3 2 1
                > OBJECT ENCODING c:three
                > SADD c:three 2
                > OBJECT ENCODING c:three
                > SADD c:three 4
                > OBJECT ENCODING c:three
                > SREM c:three 4 3
                > OBJECT ENCODING c:three
                > CONFIG SET set-max-intset-entries 0
                > SADD c:zero 1
                > OBJECT ENCODING c:zero
                > CONFIG SET set-max-intset-entries -1
                > CONFIG SET set-max-intset-entries x
                > CONFIG SET set-max-intset-entries 1k
                """);
        }
        finally
        {
            await RunAsync("> CONFIG SET set-max-intset-entries 512");
        }

        // Exactly at the limit an intset answers in order; one more integer converts it, and so does a word.
        var steps = new List<DifferentialStep>
        {
            Step(Comparison.Exact, ["SADD", "c:512", .. Enumerable.Range(0, 512).Reverse().Select(i => (i * 7).ToString(CultureInfo.InvariantCulture))]),
            Step(Comparison.Exact, ["SADD", "c:word", .. Enumerable.Range(0, 100).Select(i => i.ToString(CultureInfo.InvariantCulture))]),
        };
        steps.AddRange(DifferentialScript.Parse("""
            > OBJECT ENCODING c:512
            > SMEMBERS c:512
            > SSCAN c:512 0
            > SSCAN c:512 0 MATCH *7 COUNT 1
            > SADD c:512 -5
            > OBJECT ENCODING c:512
            ~ SMEMBERS c:512
            > SCARD c:512
            > SISMEMBER c:512 -5
            > SISMEMBER c:512 700
            > SADD c:word w
            > OBJECT ENCODING c:word
            ~ SMEMBERS c:word
            > SREM c:word w
            > OBJECT ENCODING c:word
            """));
        await RunAsync(steps);
    }

    /// <summary>
    /// SPOP with a count that leaves fewer than a fifth of it rebuilds the set from what is left, which Redis makes an
    /// intset again when the members allow; a pop that leaves more keeps the hashtable.
    /// </summary>
    [Fact]
    public async Task PopRebuildsASmallRemainderAsAnIntset()
    {
        var steps = new List<DifferentialStep>
        {
            Step(Comparison.Exact, ["SADD", "sp:a", .. Enumerable.Range(0, 600).Select(i => i.ToString(CultureInfo.InvariantCulture))]),
            Step(Comparison.Exact, ["SADD", "sp:b", .. Enumerable.Range(0, 600).Select(i => i.ToString(CultureInfo.InvariantCulture))]),
        };
        steps.AddRange(DifferentialScript.Parse("""
            > OBJECT ENCODING sp:a
            ? SPOP sp:a 590
            > SCARD sp:a
            > OBJECT ENCODING sp:a
            ? SPOP sp:b 10
            > SCARD sp:b
            > OBJECT ENCODING sp:b
            ? SPOP sp:b
            > SCARD sp:b
            """));
        await RunAsync(steps);
    }

    [Fact]
    public async Task ABigSetWithBinaryMembers()
    {
        var random = new Random(4321);
        var members = new List<byte[]>();
        for (var i = 0; i < 5000; i++)
        {
            var member = new byte[random.Next(1, 24)];
            random.NextBytes(member);
            members.Add([.. member, .. System.Text.Encoding.ASCII.GetBytes($":{i}")]);
        }

        var steps = new List<DifferentialStep>();
        for (var start = 0; start < members.Count; start += 1000)
        {
            steps.Add(new DifferentialStep(Comparison.Exact, [.. B("SADD", "g:s"), .. members.Skip(start).Take(1000)]));
        }

        steps.Add(new DifferentialStep(Comparison.Exact, [.. B("SADD", "g:t"), .. members.Where((_, i) => i % 3 == 0), .. B("extra")]));
        steps.AddRange(DifferentialScript.Parse("""
            > SCARD g:s
            > OBJECT ENCODING g:s
            ~ SMEMBERS g:s
            % SSCAN g:s
            % SSCAN g:s COUNT 1000
            % SSCAN g:s MATCH *:1?? COUNT 7
            ? SRANDMEMBER g:s
            ? SRANDMEMBER g:s 5
            ? SRANDMEMBER g:s 2500
            ? SRANDMEMBER g:s 4999
            ? SRANDMEMBER g:s -6000
            ~ SRANDMEMBER g:s 5000
            > SINTERCARD 2 g:s g:t
            ~ SINTER g:t g:s
            > SINTERSTORE g:i g:s g:t
            > SUNIONSTORE g:u g:s g:t
            > SDIFFSTORE g:d g:s g:t
            ~ SMEMBERS g:d
            > SDIFFSTORE g:d2 g:t g:s
            > SMEMBERS g:d2
            """));
        steps.Add(new DifferentialStep(Comparison.Exact, [.. B("SMISMEMBER", "g:s"), .. members.Take(50), .. B("missing")]));
        steps.Add(new DifferentialStep(Comparison.Exact, [.. B("SREM", "g:s"), .. members.Where((_, i) => i % 2 == 0)]));
        steps.AddRange(DifferentialScript.Parse("""
            > SCARD g:s
            ~ SMEMBERS g:s
            % SSCAN g:s COUNT 3
            """));
        steps.Add(new DifferentialStep(Comparison.Exact, [.. B("SREM", "g:s"), .. members]));
        steps.AddRange(DifferentialScript.Parse("""
            > EXISTS g:s
            > SMEMBERS g:s
            ? SPOP g:u 1000
            > SCARD g:u
            ? SPOP g:u 3000
            > SCARD g:u
            ? SPOP g:u 100000
            > EXISTS g:u
            """));
        await RunAsync(steps);
    }

    [Fact]
    public Task ScanAndItsErrors() => RunAsync("""
        > SADD s:i 3 1 2 11
        > SSCAN s:i 0
        > SSCAN s:i 0 COUNT 1
        > SSCAN s:i 0 MATCH 1*
        > SSCAN s:i 0 match * count 2
        > SSCAN s:i 0 COUNT 1 COUNT 2 MATCH x MATCH 1?
        > SSCAN s:i 17
        > SSCAN s:i 18446744073709551615
        > SSCAN s:i -1
        > SSCAN s:i 18446744073709551616
        > SSCAN s:i x
        > SSCAN s:i ""
        > SSCAN s:i 0 COUNT 0
        > SSCAN s:i 0 COUNT -1
        > SSCAN s:i 0 COUNT x
        > SSCAN s:i 0 MATCH
        > SSCAN s:i 0 TYPE string
        > SADD s:h a1 b1 a2 "a*"
        % SSCAN s:h
        > SSCAN s:h 0 MATCH b*
        > SSCAN s:h 0 MATCH a\*
        > SSCAN s:nokey 0
        > SSCAN s:nokey 0 COUNT 0
        > SSCAN s:nokey x
        """);

    private static IEnumerable<byte[]> B(params string[] words) => words.Select(System.Text.Encoding.UTF8.GetBytes);
}
