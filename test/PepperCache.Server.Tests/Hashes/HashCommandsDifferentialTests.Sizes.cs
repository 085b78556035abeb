using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Hashes;

// Sizes: the listpack limits (and their CONFIG), and a hash of thousands of binary fields.
public sealed partial class HashCommandsDifferentialTests
{
    [Fact]
    public async Task EncodingFollowsTheListpackLimitsAndTheirConfig()
    {
        try
        {
            await RunAsync("""
                > CONFIG GET hash-max-listpack-entries
                > CONFIG GET hash-max-ziplist-entries
                > CONFIG GET hash-max-listpack-value
                > CONFIG GET hash-max-ziplist-value
                > HSET c:v f "0123456789012345678901234567890123456789012345678901234567890123"
                > OBJECT ENCODING c:v
                > HSET c:v g "01234567890123456789012345678901234567890123456789012345678901234"
                > OBJECT ENCODING c:v
                > HDEL c:v g
                > OBJECT ENCODING c:v
                > HSET c:k "01234567890123456789012345678901234567890123456789012345678901234" v
                > OBJECT ENCODING c:k
                > CONFIG SET hash-max-ziplist-entries 3
                > CONFIG GET hash-max-listpack-entries
                > HSET c:n a 1 b 2 c 3
                > OBJECT ENCODING c:n
                > HSET c:n a 4
                > OBJECT ENCODING c:n
                > HSET c:n d 4
                > OBJECT ENCODING c:n
                > CONFIG SET hash-max-listpack-value 2
                > HSET c:w a 12
                > OBJECT ENCODING c:w
                > HSET c:w b 123
                > OBJECT ENCODING c:w
                > CONFIG SET hash-max-listpack-value 1kb
                > CONFIG GET hash-max-listpack-value
                > CONFIG SET hash-max-listpack-entries -1
                > CONFIG SET hash-max-listpack-entries x
                > CONFIG SET hash-max-listpack-entries 0
                > HSET c:z a 1
                > OBJECT ENCODING c:z
                """);
        }
        finally
        {
            await RunAsync("""
                > CONFIG SET hash-max-listpack-entries 512
                > CONFIG SET hash-max-listpack-value 64
                """);
        }

        // Exactly at the entry limit a listpack answers in order; one more field converts it.
        var steps = new List<DifferentialStep>();
        var fields = new List<byte[]> { B("HSET"), B("c:512") };
        for (var i = 0; i < 512; i++)
        {
            fields.Add(B($"field:{i}"));
            fields.Add(B($"{i}"));
        }

        steps.Add(Step(Comparison.Exact, fields));
        steps.Add(Step(Comparison.Exact, B("OBJECT"), B("ENCODING"), B("c:512")));
        steps.Add(Step(Comparison.Exact, B("HGETALL"), B("c:512")));
        steps.Add(Step(Comparison.Exact, B("HSET"), B("c:512"), B("one more"), B("v")));
        steps.Add(Step(Comparison.Exact, B("OBJECT"), B("ENCODING"), B("c:512")));
        steps.Add(Step(Comparison.UnorderedPairs, B("HGETALL"), B("c:512")));
        await RunAsync(steps);
    }

    [Fact]
    public async Task AHugeHashWithBinaryFields()
    {
        var random = new Random(1234);
        var steps = new List<DifferentialStep>();
        var fields = new List<byte[]>();
        for (var i = 0; i < 3000; i++)
        {
            var field = new byte[random.Next(1, 24)];
            random.NextBytes(field);
            field[0] = (byte)(i & 0xFF);
            fields.Add([.. field, .. B($":{i}")]);
        }

        for (var start = 0; start < fields.Count; start += 500)
        {
            var command = new List<byte[]> { B("HSET"), B("g:h") };
            foreach (var field in fields.Skip(start).Take(500))
            {
                command.Add(field);
                var value = new byte[random.Next(0, 100)];
                random.NextBytes(value);
                command.Add(value);
            }

            steps.Add(new DifferentialStep(Comparison.Exact, command));
        }

        steps.AddRange(DifferentialScript.Parse("""
            > HLEN g:h
            > OBJECT ENCODING g:h
            ~~ HGETALL g:h
            ~ HKEYS g:h
            ~ HVALS g:h
            % HSCAN g:h
            % HSCAN g:h COUNT 1000
            % HSCAN g:h MATCH *:1?? COUNT 7
            ? HRANDFIELD g:h
            ? HRANDFIELD g:h 5
            ? HRANDFIELD g:h 1500 WITHVALUES
            ? HRANDFIELD g:h 2999
            ? HRANDFIELD g:h -5000 WITHVALUES
            ~~ HRANDFIELD g:h 3000 WITHVALUES
            ~ HRANDFIELD g:h 100000
            """));
        steps.Add(Step(Comparison.Exact, [B("HMGET"), B("g:h"), .. fields.Take(50), B("missing")]));
        steps.Add(Step(Comparison.Exact, [B("HDEL"), B("g:h"), .. fields.Where((_, i) => i % 2 == 0)]));
        steps.AddRange(DifferentialScript.Parse("""
            > HLEN g:h
            ~~ HGETALL g:h
            % HSCAN g:h COUNT 3
            """));
        steps.Add(Step(Comparison.Exact, [B("HDEL"), B("g:h"), .. fields]));
        steps.AddRange(DifferentialScript.Parse("""
            > EXISTS g:h
            > HGETALL g:h
            """));
        await RunAsync(steps);
    }
}
