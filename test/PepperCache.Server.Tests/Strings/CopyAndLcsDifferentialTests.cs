using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Strings;

/// <summary>COPY and LCS against redis-server 7.0.15 and a node, replies compared byte for byte.</summary>
public sealed class CopyAndLcsDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    [Fact]
    public Task CopyStringsAndHashesWithTheirTtlAndEncoding() => RunAsync("""
        > SET cp:{t}s v1
        > PEXPIREAT cp:{t}s 32503680000000
        > COPY cp:{t}s cp:{t}s2
        > GET cp:{t}s2
        > PEXPIRETIME cp:{t}s2
        > OBJECT ENCODING cp:{t}s2
        > COPY cp:{t}s cp:{t}s2
        > SET cp:{t}s v2
        > COPY cp:{t}s cp:{t}s2 REPLACE
        > GET cp:{t}s2
        > PEXPIRETIME cp:{t}s2
        > COPY cp:{t}s cp:{t}s2 DB 0 replace
        > COPY cp:{t}s cp:{t}s2 db 0 DB 0 REPLACE REPLACE
        > COPY cp:{t}nokey cp:{t}s3
        > EXISTS cp:{t}s3
        > SET cp:{t}n 12345
        > COPY cp:{t}n cp:{t}n2
        > OBJECT ENCODING cp:{t}n2
        > APPEND cp:{t}n ""
        > COPY cp:{t}n cp:{t}n3
        > OBJECT ENCODING cp:{t}n3
        > SET cp:{t}long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        > COPY cp:{t}long cp:{t}long2
        > OBJECT ENCODING cp:{t}long2
        > HSET cp:{t}h a 1 b 2
        > COPY cp:{t}h cp:{t}h2
        > HGETALL cp:{t}h2
        > TYPE cp:{t}h2
        > OBJECT ENCODING cp:{t}h2
        > HSET cp:{t}h2 c 3
        > HGETALL cp:{t}h
        > HGETALL cp:{t}h2
        > COPY cp:{t}h cp:{t}s
        > COPY cp:{t}h cp:{t}s REPLACE
        > TYPE cp:{t}s
        > COPY cp:{t}s2 cp:{t}s REPLACE
        > TYPE cp:{t}s
        > PFADD cp:{t}hll a b c
        > COPY cp:{t}hll cp:{t}hll2
        > PFCOUNT cp:{t}hll2
        > GET cp:{t}hll2
        """);

    [Fact]
    public Task CopyErrors() => RunAsync("""
        > SET cpe:{t}s v
        > COPY cpe:{t}s cpe:{t}s
        > COPY cpe:{t}nokey cpe:{t}nokey
        > COPY cpe:{t}s cpe:{t}d DB x
        > COPY cpe:{t}s cpe:{t}d DB 99999999999
        > COPY cpe:{t}s cpe:{t}d DB -1
        > COPY cpe:{t}s cpe:{t}d DB 16
        > COPY cpe:{t}s cpe:{t}d foo
        > COPY cpe:{t}s cpe:{t}d DB
        > COPY cpe:{t}s cpe:{t}d REPLACE DB
        > COPY cpe:{t}s cpe:{t}s DB x
        > EXISTS cpe:{t}d
        > COPY cpe:{t}s
        > COPY
        """);

    /// <summary>
    /// PepperCache has one database, so DB 1 answers as a Redis with one database does; redis-server here has 16, so
    /// this is checked against the text alone.
    /// </summary>
    [Fact]
    public async Task CopyToAnotherDatabaseIsRefused()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        Assert.Equal("+OK\r\n", await node.ExecuteTextAsync("SET", "cpd:s", "v"));
        Assert.Equal("-ERR DB index is out of range\r\n", await node.ExecuteTextAsync("COPY", "cpd:s", "cpd:d", "DB", "1"));
        Assert.Equal(":0\r\n", await node.ExecuteTextAsync("EXISTS", "cpd:d"));
        Assert.Equal(":1\r\n", await node.ExecuteTextAsync("COPY", "cpd:s", "cpd:d", "DB", "0"));
    }

    [Fact]
    public Task LcsStringsLengthsAndMatches() => RunAsync("""
        > SET lcs:{t}a ohmytext
        > SET lcs:{t}b mynewtext
        > LCS lcs:{t}a lcs:{t}b
        > LCS lcs:{t}a lcs:{t}b LEN
        > LCS lcs:{t}a lcs:{t}b IDX
        > LCS lcs:{t}a lcs:{t}b idx MINMATCHLEN 4
        > LCS lcs:{t}a lcs:{t}b IDX MINMATCHLEN 4 WITHMATCHLEN
        > LCS lcs:{t}a lcs:{t}b IDX WITHMATCHLEN
        > LCS lcs:{t}a lcs:{t}b WITHMATCHLEN IDX MINMATCHLEN -5
        > LCS lcs:{t}a lcs:{t}b MINMATCHLEN 3 LEN
        > LCS lcs:{t}a lcs:{t}a IDX WITHMATCHLEN
        > LCS lcs:{t}a lcs:{t}nokey
        > LCS lcs:{t}a lcs:{t}nokey IDX
        > LCS lcs:{t}nokey lcs:{t}nokey2 LEN
        > SET lcs:{t}c "\x00\xffabc\r\nxyz\x00"
        > SET lcs:{t}d "abc\x00\r\n\xff"
        > LCS lcs:{t}c lcs:{t}d IDX WITHMATCHLEN
        > LCS lcs:{t}c lcs:{t}d
        > SET lcs:{t}x1 ACCGGTCGAGTGCGCGGAAGCCGGCCGAA
        > SET lcs:{t}x2 GTCGTTCGGAATGCCGTTGCTCTGTAAA
        > LCS lcs:{t}x1 lcs:{t}x2 IDX WITHMATCHLEN
        > LCS lcs:{t}x1 lcs:{t}x2
        > LCS lcs:{t}x1 lcs:{t}x2 IDX MINMATCHLEN 2
        > SET lcs:{t}n 1234567
        > SET lcs:{t}m 357
        > LCS lcs:{t}n lcs:{t}m IDX
        > SET lcs:{t}e ""
        > LCS lcs:{t}e lcs:{t}a IDX
        """);

    [Fact]
    public Task LcsErrorsAndTheMemoryLimit() => RunAsync("""
        > SET lcse:{t}a abc
        > HSET lcse:{t}h f v
        > LCS lcse:{t}a lcse:{t}h
        > LCS lcse:{t}h lcse:{t}a
        > LCS lcse:{t}h lcse:{t}a foo
        > LCS lcse:{t}a lcse:{t}a foo
        > LCS lcse:{t}a lcse:{t}a LEN IDX
        > LCS lcse:{t}a lcse:{t}a MINMATCHLEN
        > LCS lcse:{t}a lcse:{t}a MINMATCHLEN x
        > LCS lcse:{t}a lcse:{t}a MINMATCHLEN x LEN IDX
        > LCS lcse:{t}a
        > CONFIG SET proto-max-bulk-len 1mb
        > SETRANGE lcse:{t}l1 600 x
        > SETRANGE lcse:{t}l2 500 y
        > LCS lcse:{t}l1 lcse:{t}l2 LEN
        > SETRANGE lcse:{t}l3 1000 z
        > LCS lcse:{t}l3 lcse:{t}l3 LEN
        > LCS lcse:{t}l1 lcse:{t}l3 LEN
        > CONFIG SET proto-max-bulk-len 512mb
        """);
}
