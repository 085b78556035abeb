using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.BlockingScenario;

namespace PepperCache.Server.Tests;

/// <summary>
/// SORT and SORT_RO against redis-server 7.0.15 and a PepperCache node: the same scripts, replies compared byte for
/// byte (a set's own order, which SORT ... BY nosort answers in, as a set). Each test uses its own key prefix.
/// </summary>
public sealed class SortCommandsDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    [Fact]
    public Task NumbersAndLimits() => RunAsync("""
        > RPUSH n:l 3 -1 10 2.5 1e2 0x10 " 7" "" -inf +inf 2.5 007
        > SORT n:l
        > SORT n:l DESC
        > sort n:l asc desc asc
        > SORT n:l LIMIT 0 3
        > SORT n:l LIMIT 2 4 DESC
        > SORT n:l LIMIT -5 3
        > SORT n:l LIMIT 3 -1
        > SORT n:l LIMIT 3 0
        > SORT n:l LIMIT 11 5
        > SORT n:l LIMIT 12 5
        > SORT n:l LIMIT 100 5
        > SORT n:l LIMIT 9223372036854775807 9223372036854775807
        > SORT n:l LIMIT -9223372036854775808 2
        > SORT n:l LIMIT 1 2 LIMIT 0 1
        > SORT n:l LIMIT 1 x
        > SORT n:l LIMIT x 1
        > SORT n:l LIMIT 1
        > SORT n:l LIMIT
        > SORT n:l FOO
        > SORT n:nokey
        > SORT n:nokey DESC LIMIT 0 1
        > SORT_RO n:l DESC LIMIT 1 3
        > SORT_RO n:l STORE n:d
        > RPUSH n:bad 1 abc 2
        > SORT n:bad
        > SORT n:bad ALPHA
        > RPUSH n:nan 1 nan
        > SORT n:nan
        > RPUSH n:nul "3\x00abc" 2
        > SORT n:nul
        > SET n:s x
        > SORT n:s
        > SORT n:s LIMIT x 1
        > HSET n:h f v
        > SORT_RO n:h
        # Last: Redis reads errno without clearing it first, so after an ERANGE every numeric SORT on the connection
        # fails until some call sets errno again (a new connection's accept does).
        > RPUSH n:big 1 1e400
        > SORT n:big
        """);

    [Fact]
    public Task AlphaAndTheThreeTypes() => RunAsync("""
        > RPUSH a:l banana Apple apple "" "\xff" "\x00z" "\x00a" cherry apple
        > SORT a:l ALPHA
        > SORT a:l ALPHA DESC LIMIT 1 4
        > SORT a:l BY nosort
        > SORT a:l BY nosort DESC LIMIT 2 3
        > SORT a:l BY nosort LIMIT 20 1
        > SADD a:set 5 3 9 1 12
        > SORT a:set
        > SORT a:set DESC LIMIT 1 2
        > SORT a:set ALPHA
        > SADD a:words pear fig kiwi 7
        > SORT a:words ALPHA
        > SORT a:words
        > ZADD a:z 1 c 2 b 3 a 4 10 5 9
        > OBJECT ENCODING a:z
        > SORT_RO a:z BY nosort
        > OBJECT ENCODING a:z
        > ZADD a:z2 3 x 1 y 2 z
        > SORT a:z2 BY nosort DESC
        > SORT a:z2 BY nosort LIMIT 1 1
        > SORT a:z2 BY nosort DESC LIMIT 1 5
        > SORT a:z2 ALPHA DESC
        > OBJECT ENCODING a:z2
        > ZADD a:z3 5 2 1 30 3 4
        > SORT a:z3
        > SORT a:z3 BY constant ALPHA
        """);

    [Fact]
    public Task ByAndGetPatterns() => RunAsync("""
        > RPUSH p:ids 1 2 3 4 5
        > MSET p:w_1 50 p:w_2 10 p:w_3 40 p:w_5 10
        > MSET p:name_1 one p:name_2 two p:name_3 three p:name_4 four
        > HSET p:o_1 rank 3 title first
        > HSET p:o_2 rank 1 title second
        > HSET p:o_3 rank 2
        > SORT p:ids BY p:w_*
        > SORT p:ids BY p:w_* DESC
        > SORT p:ids BY p:w_* GET # GET p:name_* GET p:w_*
        > SORT p:ids BY p:w_* ALPHA
        > SORT p:ids BY p:w_* ALPHA DESC
        > SORT p:ids BY p:o_*->rank GET p:o_*->title GET # GET p:o_*->missing
        > SORT p:ids BY p:name_* ALPHA GET p:name_*
        > SORT p:ids BY p:name_* GET p:name_*
        > SORT p:ids GET p:nostar
        > SORT p:ids GET p:o_*->
        > SORT p:ids GET p:name_*-> LIMIT 0 2
        > SORT p:ids BY p:w_* LIMIT 1 2 GET p:name_*
        > SORT p:ids BY nosort BY p:w_* GET #
        > SORT p:ids BY p:w_* BY nosort
        > SET p:w_4 notanumber
        > SORT p:ids BY p:w_*
        > DEL p:w_4
        > LPUSH p:w_4 1
        > SORT p:ids BY p:w_* GET p:w_*
        > SORT p:ids GET
        > SORT p:ids BY
        > SORT_RO p:ids BY p:w_* GET p:name_*
        # Equal weights keep the order the elements were read in (glibc's merge sort), past insertion-sort sizes too.
        > RPUSH p:many 30 7 19 2 25 11 40 3 17 8 33 1 22 14 9 36 5 28 12 20 38 4 16 27 10 31 6 24 13 35
        > SORT p:many BY p:none_* ALPHA
        > SORT p:many BY p:none_* ALPHA DESC LIMIT 3 20
        > MSET p:t_30 b p:t_7 a p:t_19 b p:t_2 a p:t_25 b p:t_11 a p:t_40 b p:t_3 a p:t_17 b p:t_8 a
        > SORT p:many BY p:t_* ALPHA
        > SORT p:many BY p:t_* ALPHA DESC
        """);

    [Fact]
    public Task Store() => RunAsync("""
        > RPUSH s:l 3 1 2
        > SET s:dst old EX 1000
        > SORT s:l STORE s:dst
        > LRANGE s:dst 0 -1
        > TTL s:dst
        > TYPE s:dst
        > OBJECT ENCODING s:dst
        > SORT s:l DESC LIMIT 0 2 STORE s:dst
        > LRANGE s:dst 0 -1
        > SORT s:l GET # GET s:nothing_* STORE s:dst
        > LRANGE s:dst 0 -1
        > SORT s:l LIMIT 5 5 STORE s:dst
        > EXISTS s:dst
        > SORT s:nokey STORE s:dst
        > SORT s:l STORE s:a STORE s:b
        > EXISTS s:a
        > LRANGE s:b 0 -1
        > SORT s:l STORE s:l
        > LRANGE s:l 0 -1
        > SADD s:set d b c a
        > SORT s:set BY nosort STORE s:fromset
        > LRANGE s:fromset 0 -1
        > RPUSH s:bad 1 x
        > SET s:keep v
        > SORT s:bad STORE s:keep
        > GET s:keep
        > RPUSH s:bin "a\x00b" "a\x00a" "a"
        > SORT s:bin ALPHA STORE s:sorted
        > LRANGE s:sorted 0 -1
        > SORT s:l STORE
        > SORT s:l ALPHA LIMIT 0 1 STORE s:one DESC
        > LRANGE s:one 0 -1
        """);

    [Fact]
    public Task KeysAndDescriptions() => RunAsync("""
        > COMMAND GETKEYS SORT k
        > COMMAND GETKEYS SORT k STORE d
        > COMMAND GETKEYS SORT k STORE d1 LIMIT 0 1 STORE d2
        > COMMAND GETKEYS SORT k BY store GET store LIMIT store store STORE d
        > COMMAND GETKEYS SORT_RO k BY w_* GET #
        > COMMAND GETKEYSANDFLAGS SORT k STORE d
        > COMMAND GETKEYSANDFLAGS SORT_RO k
        > SET sub "Hello World"
        > SUBSTR sub 0 4
        > SUBSTR sub -5 -1
        > SUBSTR sub x 1
        > SUBSTR nokey 0 1
        """);

    /// <summary>A list that SORT ... STORE writes serves a client blocked on it, as any write that leaves a list there does.</summary>
    [Fact]
    public Task StoreServesAClientBlockedOnTheDestination() => BlockingScenario.BothAsync(servers, async server =>
    {
        await using var waiter = await RespFrameClient.ConnectAsync(server);
        await using var writer = await RespFrameClient.ConnectAsync(server);
        await waiter.SendAsync(["BLPOP", "w:dst", "0"]);
        await WaitForBlockedAsync(writer, 1);
        List<string> seen = [await Text(writer, "RPUSH", "w:src", "3", "1", "2")];
        seen.Add(await Text(writer, "SORT", "w:src", "STORE", "w:dst"));
        seen.Add(await Read(waiter));
        seen.Add(await Text(writer, "LRANGE", "w:dst", "0", "-1"));
        return seen;
    }, ":3\r\n", ":3\r\n", "*2\r\n$5\r\nw:dst\r\n$1\r\n1\r\n", "*2\r\n$1\r\n2\r\n$1\r\n3\r\n");
}
