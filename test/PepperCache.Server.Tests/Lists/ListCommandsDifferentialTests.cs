using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Lists;

/// <summary>
/// The list commands against redis-server 7.0.15 and a PepperCache node: the same scripts, replies compared byte for
/// byte. Each test uses its own key prefix; the two servers live for the class. Blocking commands appear here only
/// where they answer at once (an element is there, or an argument is wrong); waiting is in <see cref="ListBlockingIntegrationTests"/>.
/// </summary>
public sealed class ListCommandsDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    private Task RunAsync(IEnumerable<DifferentialStep> steps) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, steps);

    [Fact]
    public Task PushPopAndLength() => RunAsync("""
        > LPUSH p:l a b c
        > RPUSH p:l d e
        > LRANGE p:l 0 -1
        > LLEN p:l
        > LLEN p:nokey
        > LPUSHX p:nokey a
        > RPUSHX p:nokey a
        > EXISTS p:nokey
        > LPUSHX p:l x y
        > RPUSHX p:l z
        > LRANGE p:l 0 -1
        > LPOP p:l
        > RPOP p:l
        > LPOP p:l 2
        > RPOP p:l 2
        > LPOP p:l 0
        > RPOP p:l 0
        > LPOP p:l 100
        > EXISTS p:l
        > LPOP p:l
        > RPOP p:l
        > LPOP p:l 0
        > LPOP p:l 3
        > RPOP p:nokey 1
        > LPOP p:l -1
        > LPOP p:l abc
        > RPOP p:l 1.5
        > LPOP p:l 1 2
        > RPUSH p:one x
        > LPOP p:one 9223372036854775807
        > EXISTS p:one
        > OBJECT ENCODING p:l
        > RPUSH p:enc a
        > OBJECT ENCODING p:enc
        > TYPE p:enc
        > RPUSH p:bin "\x00\xff\r\n" "" "\r\n" "\x00"
        > LRANGE p:bin 0 -1
        > LINDEX p:bin 0
        > LPOS p:bin ""
        > LREM p:bin 0 "\x00"
        > LRANGE p:bin 0 -1
        > LPOP p:bin 5
        """);

    [Fact]
    public Task RangesAndIndexes() => RunAsync("""
        > RPUSH r:l 0 1 2 3 4 5 6 7 8 9
        > LRANGE r:l 0 0
        > LRANGE r:l 0 -1
        > LRANGE r:l -3 -1
        > LRANGE r:l -100 2
        > LRANGE r:l 5 100
        > LRANGE r:l 8 2
        > LRANGE r:l 10 20
        > LRANGE r:l -1 -2
        > LRANGE r:l -9223372036854775808 9223372036854775807
        > LRANGE r:l 1 x
        > LRANGE r:l x 1
        > LRANGE r:nokey 0 -1
        > LRANGE r:nokey x 1
        > LINDEX r:l 0
        > LINDEX r:l -1
        > LINDEX r:l 9
        > LINDEX r:l 10
        > LINDEX r:l -10
        > LINDEX r:l -11
        > LINDEX r:l x
        > LINDEX r:nokey x
        > LINDEX r:nokey 0
        > LSET r:l 0 zero
        > LSET r:l -1 nine
        > LSET r:l 10 x
        > LSET r:l -11 x
        > LSET r:l x y
        > LSET r:nokey 0 x
        > LSET r:nokey x y
        > LRANGE r:l 0 -1
        """);

    [Fact]
    public Task InsertRemoveAndTrim() => RunAsync("""
        > RPUSH i:l a b c b a
        > LINSERT i:l BEFORE b x
        > LINSERT i:l after b y
        > LINSERT i:l before nosuch z
        > LINSERT i:l middle b z
        > LINSERT i:nokey before a b
        > LINSERT i:nokey middle a b
        > LRANGE i:l 0 -1
        > LINSERT i:l before a head
        > LINSERT i:l after a tail
        > LRANGE i:l 0 -1
        > LREM i:l 1 b
        > LRANGE i:l 0 -1
        > LREM i:l -1 a
        > LRANGE i:l 0 -1
        > LREM i:l 0 nosuch
        > LREM i:l x a
        > LREM i:nokey 1 a
        > RPUSH i:r a b a c a d a
        > LREM i:r -2 a
        > LRANGE i:r 0 -1
        > LREM i:r 0 a
        > LRANGE i:r 0 -1
        > LREM i:r -9223372036854775808 b
        > LRANGE i:r 0 -1
        > LREM i:r 0 c
        > LREM i:r 0 d
        > EXISTS i:r
        > RPUSH i:t 0 1 2 3 4 5 6 7 8 9
        > LTRIM i:t 1 -2
        > LRANGE i:t 0 -1
        > LTRIM i:t -3 100
        > LRANGE i:t 0 -1
        > LTRIM i:t -100 0
        > LRANGE i:t 0 -1
        > LTRIM i:t 1 0
        > EXISTS i:t
        > LTRIM i:nokey 0 1
        > LTRIM i:t x 1
        > LTRIM i:t 1 x
        > RPUSH i:t a b
        > LTRIM i:t 5 10
        > EXISTS i:t
        """);

    [Fact]
    public Task Positions() => RunAsync("""
        > RPUSH s:l a b c 1 2 3 c c
        > LPOS s:l c
        > LPOS s:l c RANK 2
        > LPOS s:l c RANK -1
        > LPOS s:l c RANK -2
        > LPOS s:l c COUNT 0
        > LPOS s:l c COUNT 2
        > LPOS s:l c RANK -1 COUNT 2
        > LPOS s:l c RANK 2 COUNT 0
        > LPOS s:l c MAXLEN 3
        > LPOS s:l c MAXLEN 3 COUNT 0
        > LPOS s:l c RANK -1 MAXLEN 1
        > LPOS s:l c RANK 10
        > LPOS s:l c RANK 10 COUNT 1
        > LPOS s:l nosuch
        > LPOS s:l nosuch COUNT 0
        > LPOS s:nokey a
        > LPOS s:nokey a COUNT 1
        > LPOS s:l c RANK 0
        > LPOS s:l c RANK x
        > LPOS s:l c COUNT -1
        > LPOS s:l c COUNT x
        > LPOS s:l c MAXLEN -1
        > LPOS s:l c MAXLEN x
        > LPOS s:l c RANK
        > LPOS s:l c FOO 1
        > LPOS s:l c RANK -9223372036854775808
        > LPOS s:l c RANK -9223372036854775808 COUNT 2
        > LPOS s:l c RANK 1 RANK 2
        > LPOS s:nokey a RANK 0
        """);

    [Fact]
    public Task MovesAndMultiPops() => RunAsync("""
        > RPUSH m:a 1 2 3
        > LMOVE m:a m:b LEFT RIGHT
        > LMOVE m:a m:b RIGHT LEFT
        > LRANGE m:a 0 -1
        > LRANGE m:b 0 -1
        > LMOVE m:a m:a LEFT RIGHT
        > LMOVE m:b m:b right left
        > LRANGE m:b 0 -1
        > RPOPLPUSH m:a m:c
        > EXISTS m:a
        > LRANGE m:c 0 -1
        > LMOVE m:nokey m:c LEFT LEFT
        > RPOPLPUSH m:nokey m:c
        > LMOVE m:a m:b UP LEFT
        > LMOVE m:a m:b LEFT DOWN
        > SET m:s x
        > LMOVE m:b m:s LEFT LEFT
        > LMOVE m:s m:b LEFT LEFT
        > LMOVE m:nokey m:s LEFT LEFT
        > RPOPLPUSH m:b m:s
        > LRANGE m:b 0 -1
        > RPUSH m:x 1 2 3 4 5
        > LMPOP 2 m:nokey m:x LEFT
        > LMPOP 2 m:nokey m:x RIGHT COUNT 2
        > LMPOP 1 m:x LEFT COUNT 10
        > LMPOP 2 m:nokey m:x LEFT
        > LMPOP 1 m:s LEFT
        > LMPOP 2 m:nokey m:s LEFT
        > LMPOP 0 m:x LEFT
        > LMPOP -1 m:x LEFT
        > LMPOP x m:x LEFT
        > LMPOP 2 m:x LEFT
        > LMPOP 1 m:x MIDDLE
        > LMPOP 1 m:x LEFT COUNT 0
        > LMPOP 1 m:x LEFT COUNT -1
        > LMPOP 1 m:x LEFT COUNT x
        > LMPOP 1 m:x LEFT COUNT 1 COUNT 1
        > LMPOP 1 m:x LEFT COUNT
        > LMPOP 1 m:x LEFT FOO
        > LMPOP 9223372036854775807 m:x LEFT
        > LMPOP 1 m:x
        """);

    [Fact]
    public Task BlockingCommandsAnswerAtOnceWhenTheyCan() => RunAsync("""
        > RPUSH bl:a 1 2 3
        > BLPOP bl:nokey bl:a 0
        > BRPOP bl:nokey bl:a 1.5
        > BLMOVE bl:a bl:b LEFT RIGHT 0
        > BRPOPLPUSH bl:b bl:c 0
        > LRANGE bl:c 0 -1
        > RPUSH bl:m 1 2 3
        > BLMPOP 0 2 bl:nokey bl:m LEFT COUNT 2
        > BLMPOP 0.01 1 bl:m RIGHT
        > EXISTS bl:m
        > BLPOP bl:a x
        > BLPOP bl:a -1
        > BLPOP bl:a inf
        > BLPOP bl:a 1e30
        > BLPOP bl:a nan
        > BLPOP bl:a ""
        > BLPOP bl:a " 1"
        > BLPOP bl:a 9223372036854775807
        > BRPOP bl:a
        > BLMOVE bl:a bl:b UP LEFT x
        > BLMOVE bl:a bl:b LEFT LEFT x
        > BLMOVE bl:a bl:b LEFT LEFT -0.5
        > BRPOPLPUSH bl:a bl:b x
        > BLMPOP x 1 bl:a LEFT
        > BLMPOP 0 0 bl:a LEFT
        > BLMPOP x 1 bl:a MIDDLE
        > BLMPOP -1 1 bl:a LEFT COUNT 0
        > BLMPOP 0 1 bl:a LEFT COUNT 1 COUNT 2
        > SET bl:s x
        > BLPOP bl:s 0
        > BLPOP bl:nokey bl:s 0
        > BLMOVE bl:s bl:b LEFT LEFT 0
        > BLMPOP 0 1 bl:s LEFT
        > RPUSH bl:d 1
        > BLMOVE bl:d bl:s LEFT LEFT 0
        > LRANGE bl:d 0 -1
        """);

    [Fact]
    public Task ArityAndWrongType() => RunAsync("""
        > SET w:s v
        > LPUSH w:s a
        > RPUSH w:s a
        > LPUSHX w:s a
        > RPUSHX w:s a
        > LPOP w:s
        > RPOP w:s 1
        > LLEN w:s
        > LRANGE w:s 0 1
        > LINDEX w:s 0
        > LINDEX w:s x
        > LSET w:s 0 x
        > LSET w:s x x
        > LINSERT w:s before a b
        > LREM w:s 0 a
        > LTRIM w:s 0 1
        > LPOS w:s a
        > RPOPLPUSH w:s w:l
        > RPUSH w:l a
        > GET w:l
        > INCR w:l
        > HSET w:l f v
        > LPUSH w:l
        > RPUSH
        > LPOP
        > LLEN w:l x
        > LRANGE w:l 0
        > LINDEX w:l
        > LSET w:l 0
        > LINSERT w:l before a
        > LREM w:l 0
        > LTRIM w:l 0
        > LPOS w:l
        > LMOVE w:l w:l LEFT
        > RPOPLPUSH w:l
        > LMPOP 1 w:l
        > BLPOP w:l
        > BLMOVE w:l w:l LEFT LEFT
        > BRPOPLPUSH w:l w:l
        > BLMPOP 0 1 w:l
        > CLIENT UNBLOCK
        > CLIENT UNBLOCK 1 TIMEOUT x
        > CLIENT UNBLOCK 1 FOO
        > CLIENT UNBLOCK x
        > CLIENT UNBLOCK x FOO
        > CLIENT UNBLOCK 999999
        > CLIENT UNBLOCK 999999 error
        > CONFIG GET list-max-listpack-size
        > CONFIG GET list-max-ziplist-size
        > CONFIG SET list-max-listpack-size x
        > CONFIG SET list-max-listpack-size 99999999999
        > CONFIG SET list-max-ziplist-size 5
        > CONFIG GET list-max-listpack-size
        > CONFIG SET list-max-listpack-size -2
        """);

    [Fact]
    public Task KeyspaceCommandsOnAList() => RunAsync("""
        > RPUSH ks:l a b c
        > PEXPIREAT ks:l 32503680000000
        > RPUSH ks:l d
        > PEXPIRETIME ks:l
        > RENAME ks:l ks:l2
        > LRANGE ks:l2 0 -1
        > PEXPIRETIME ks:l2
        > OBJECT ENCODING ks:l2
        > SCAN 0 MATCH ks:* TYPE list COUNT 100000
        > RPUSH ks:gone a
        > PEXPIREAT ks:gone 1
        > LLEN ks:gone
        > LPUSH ks:gone b
        > LRANGE ks:gone 0 -1
        > DEL ks:l2
        > LLEN ks:l2
        """);

    [Fact]
    public async Task ABigListOfBinaryElements()
    {
        // 5,000 elements pushed at both ends in batches, then read, indexed, trimmed and popped from both ends.
        var steps = new List<DifferentialStep>();
        for (var batch = 0; batch < 50; batch++)
        {
            var push = new List<byte[]> { B(batch % 2 == 0 ? "RPUSH" : "LPUSH"), B("big:l") };
            for (var i = 0; i < 100; i++)
            {
                push.Add([.. B($"e{batch}.{i}"), 0, 0xFF, (byte)'\r', (byte)'\n']);
            }

            steps.Add(new DifferentialStep(Comparison.Exact, push));
        }

        steps.AddRange(DifferentialScript.Parse("""
            > LLEN big:l
            > LRANGE big:l 0 -1
            > LRANGE big:l 2400 2600
            > LRANGE big:l -600 -1
            > LINDEX big:l 2500
            > LINDEX big:l -2500
            > LSET big:l 2500 middle
            > LPOS big:l middle
            > LINSERT big:l BEFORE middle before
            > LINSERT big:l AFTER middle after
            > LRANGE big:l 2495 2505
            > LREM big:l 0 middle
            > LPOP big:l 1000
            > RPOP big:l 1000
            > LTRIM big:l 100 -100
            > LLEN big:l
            > LRANGE big:l 0 -1
            > LMPOP 1 big:l RIGHT COUNT 1500
            > LLEN big:l
            """));
        await RunAsync(steps);
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);
}
