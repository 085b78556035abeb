using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Strings;

/// <summary>BITFIELD and BITFIELD_RO against redis-server 7.0.15 and a node, replies compared byte for byte.</summary>
public sealed class BitFieldDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    [Fact]
    public Task GetSetIncrByWithEveryOverflowMode() => RunAsync("""
        > BITFIELD bf:k SET i8 0 100 GET i8 0 INCRBY i8 0 100 GET u4 0
        > GET bf:k
        > OBJECT ENCODING bf:k
        > BITFIELD bf:k OVERFLOW SAT INCRBY i8 0 200 INCRBY u8 8 -5 OVERFLOW FAIL INCRBY i8 0 1 INCRBY u2 100 5 OVERFLOW WRAP INCRBY u2 102 5
        > GET bf:k
        > BITFIELD bf:k SET i64 0 -1 GET i64 0 GET u63 0 GET u63 1 INCRBY i64 0 -9223372036854775807 INCRBY i64 0 -5
        > BITFIELD bf:k OVERFLOW SAT INCRBY i64 64 9223372036854775807 INCRBY i64 64 9223372036854775807 INCRBY i64 64 -9223372036854775807
        > BITFIELD bf:k OVERFLOW WRAP INCRBY i64 128 9223372036854775807 INCRBY i64 128 9223372036854775807 INCRBY i64 128 -9223372036854775808
        > BITFIELD bf:k OVERFLOW FAIL INCRBY i64 192 -9223372036854775808 INCRBY i64 192 -1 INCRBY i64 192 9223372036854775807
        > BITFIELD bf:k SET u8 #3 255 GET u8 #3 GET i8 24 SET i5 #100 -16 GET i5 #100 GET u1 #7
        > BITFIELD bf:k SET u8 0 -1 OVERFLOW SAT SET u8 0 -1 OVERFLOW FAIL SET u8 0 256 SET u8 0 255 SET i8 0 128 SET i8 0 -129
        > GET bf:k
        > BITFIELD bf:k OVERFLOW SAT SET u63 0 -1 GET u63 0 INCRBY u63 0 -1 INCRBY u63 0 9223372036854775807 SET i1 0 1 SET i1 0 -2 GET i1 0
        > BITFIELD bf:k OVERFLOW WRAP SET u63 0 -1 GET u63 0 INCRBY u63 0 -1 INCRBY u63 0 9223372036854775807 SET i1 0 1 GET i1 0
        > BITFIELD bf:k overflow wrap incrby u3 1 9 incrby i3 1 -9 get u3 1
        > BITFIELD bf:k
        > GET bf:k
        """);

    [Fact]
    public Task ReadsNeverCreateWritesCreateAndGrowEvenWhenTheyFail() => RunAsync("""
        > BITFIELD bfc:nokey GET i8 0
        > EXISTS bfc:nokey
        > BITFIELD bfc:nokey GET i8 0 OVERFLOW FAIL
        > EXISTS bfc:nokey
        > BITFIELD bfc:nokey OVERFLOW FAIL INCRBY u8 100 1000
        > GET bfc:nokey
        > OBJECT ENCODING bfc:nokey
        > BITFIELD bfc:nokey OVERFLOW FAIL INCRBY u8 200 1000 GET u8 0
        > STRLEN bfc:nokey
        > BITFIELD_RO bfc:nokey GET i8 0 GET u4 3 GET i64 150
        > BITFIELD_RO bfc:missing GET i8 4294967295
        > BITFIELD bfc:nokey GET i8 4294967295
        > BITFIELD bfc:nokey GET i64 4294967290
        > BITFIELD_RO bfc:nokey OVERFLOW WRAP
        > SET bfc:s hello
        > BITFIELD bfc:s GET i8 0 SET u8 8 99 GET u8 8
        > GET bfc:s
        > SET bfc:emb abc
        > BITFIELD bfc:emb GET i8 0
        > OBJECT ENCODING bfc:emb
        > BITFIELD bfc:emb SET u8 0 97
        > OBJECT ENCODING bfc:emb
        > SET bfc:i 123
        > BITFIELD bfc:i GET u8 0
        > OBJECT ENCODING bfc:i
        > PEXPIREAT bfc:s 32503680000000
        > BITFIELD bfc:s SET u8 100 1
        > PEXPIRETIME bfc:s
        """);

    [Fact]
    public Task ArgumentErrorsComeBeforeTheKeyIsTouched() => RunAsync("""
        > BITFIELD bfe:k GET i65 0
        > BITFIELD bfe:k GET u64 0
        > BITFIELD bfe:k GET i0 0
        > BITFIELD bfe:k GET u0 0
        > BITFIELD bfe:k GET x8 0
        > BITFIELD bfe:k GET I8 0
        > BITFIELD bfe:k GET i08 0
        > BITFIELD bfe:k GET i 0
        > BITFIELD bfe:k GET "" 0
        > BITFIELD bfe:k GET i8 -1
        > BITFIELD bfe:k GET i8 #-1
        > BITFIELD bfe:k GET i8 #a
        > BITFIELD bfe:k GET i8 #
        > BITFIELD bfe:k GET i8 x
        > BITFIELD bfe:k GET i8 4294967296
        > BITFIELD bfe:k GET i8 #536870912
        > BITFIELD bfe:k GET i8 #1152921504606846976
        > BITFIELD bfe:k OVERFLOW foo GET i8 0
        > BITFIELD bfe:k SET i8 0
        > BITFIELD bfe:k SET i8 x 1
        > BITFIELD bfe:k SET i8 0 x
        > BITFIELD bfe:k INCRBY i8 0 1.5
        > BITFIELD bfe:k GET i8 0 foo
        > BITFIELD bfe:k GET i8 0 OVERFLOW
        > BITFIELD bfe:k GET
        > BITFIELD bfe:k SET i8 0 1 GET i65 0
        > EXISTS bfe:k
        > BITFIELD_RO bfe:k SET i8 0 1
        > BITFIELD_RO bfe:k GET i8 0 INCRBY i8 0 1
        > BITFIELD_RO bfe:k GET i8 0 SET i8
        > EXISTS bfe:k
        > HSET bfe:h f v
        > BITFIELD bfe:h GET i8 0
        > BITFIELD bfe:h SET i8 0 1
        > BITFIELD bfe:h SET i8 0 x
        > BITFIELD_RO bfe:h GET i8 0
        > BITFIELD bfe:h
        > BITFIELD
        > BITFIELD_RO
        """);
}
