using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Strings;

/// <summary>
/// APPEND, SETRANGE, SETBIT, BITFIELD and PFADD change a value in place while no reader holds it, and copy it once one
/// does. The scripts interleave those writes with the reads that mark a value shared (GET, GETRANGE, MGET, BITCOUNT,
/// COPY) and those that do not (GETBIT, STRLEN, PFCOUNT), and with SET, RENAME and expiry, against redis-server 7.0.15:
/// replies byte for byte, encodings included.
/// </summary>
public sealed class InPlaceStringDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    [Fact]
    public Task AppendAndSetRangeWithReadsBetween() => RunAsync("""
        > APPEND ip:a hello
        > OBJECT ENCODING ip:a
        > APPEND ip:a " world"
        > OBJECT ENCODING ip:a
        > APPEND ip:a !
        > GET ip:a
        > APPEND ip:a ?
        > GETRANGE ip:a 0 4
        > APPEND ip:a "\x00\xff"
        > STRLEN ip:a
        > SETRANGE ip:a 0 J
        > GET ip:a
        > SETRANGE ip:a 20 tail
        > GET ip:a
        > SETRANGE ip:a 2 ""
        > APPEND ip:a ""
        > OBJECT ENCODING ip:a
        > MGET ip:a ip:nokey
        > SETRANGE ip:a 1 E
        > SETRANGE ip:a 30 x
        > GET ip:a
        > SET ip:a 12345
        > OBJECT ENCODING ip:a
        > APPEND ip:a 6
        > OBJECT ENCODING ip:a
        > INCR ip:a
        > OBJECT ENCODING ip:a
        > APPEND ip:a 0
        > GET ip:a
        > SETRANGE ip:new 3 abc
        > GET ip:new
        > OBJECT ENCODING ip:new
        > SETRANGE ip:new 0 X
        > GET ip:new
        > PEXPIREAT ip:new 32503680000000
        > APPEND ip:new more
        > SETRANGE ip:new 1 Y
        > PEXPIRETIME ip:new
        > GET ip:new
        > SETRANGE ip:big 20000 x
        > GETRANGE ip:big 19990 -1
        > APPEND ip:big yz
        > GETRANGE ip:big -3 -1
        > GETRANGE ip:big 0 -1
        > SETRANGE ip:big 0 head
        > GETRANGE ip:big 0 3
        > GETRANGE ip:big 5 2
        > GETRANGE ip:big -1 -5
        > GETRANGE ip:big 30000 40000
        > SET ip:empty ""
        > GETRANGE ip:empty 0 -1
        > GETRANGE ip:nokey 0 -1
        > HSET ip:hash f v
        > GETRANGE ip:hash 0 -1
        > STRLEN ip:hash
        > STRLEN ip:nokey
        > STRLEN ip:big
        """);

    [Fact]
    public Task RenameAndCopyOfAValueChangedInPlace() => RunAsync("""
        > APPEND ip:{c}a abcdef
        > APPEND ip:{c}a ghij
        > COPY ip:{c}a ip:{c}b
        > APPEND ip:{c}a K
        > APPEND ip:{c}b L
        > GET ip:{c}a
        > GET ip:{c}b
        > OBJECT ENCODING ip:{c}b
        > RENAME ip:{c}a ip:{c}r
        > SETRANGE ip:{c}r 0 Z
        > APPEND ip:{c}r M
        > GET ip:{c}r
        > OBJECT ENCODING ip:{c}r
        > EXISTS ip:{c}a
        """);

    [Fact]
    public Task BitmapWritesWithReadsBetween() => RunAsync("""
        > SETBIT ip:bits 7 1
        > SETBIT ip:bits 8 1
        > GETBIT ip:bits 8
        > SETBIT ip:bits 8 0
        > GETBIT ip:bits 8
        > SETBIT ip:bits 200 1
        > STRLEN ip:bits
        > BITCOUNT ip:bits
        > SETBIT ip:bits 9 1
        > GET ip:bits
        > SETBIT ip:bits 9 1
        > SETBIT ip:bits 100 1
        > BITFIELD ip:bits INCRBY u8 0 1 GET u8 0 SET i4 300 -3
        > GET ip:bits
        > BITFIELD ip:bits INCRBY u8 0 200 OVERFLOW FAIL INCRBY u8 0 200 GET u16 0
        > GETRANGE ip:bits 0 3
        > BITFIELD ip:bits SET u8 80 255
        > STRLEN ip:bits
        > GET ip:bits
        > BITPOS ip:bits 1
        > OBJECT ENCODING ip:bits
        > APPEND ip:bits "\x01"
        > SETBIT ip:bits 0 1
        > GET ip:bits
        """);

    // hll-sparse-max-bytes 0 makes the first PFADD dense, so every later PFADD writes the 12 KB value in place.
    [Fact]
    public Task DenseHyperLogLogAddsAndCounts() => RunAsync("""
        > CONFIG SET hll-sparse-max-bytes 0
        > PFADD ip:hll a
        > PFADD ip:hll b c d
        > PFCOUNT ip:hll
        > PFADD ip:hll b c d
        > PFADD ip:hll e
        > PFCOUNT ip:hll
        > GET ip:hll
        > PFADD ip:hll f g h i j k
        > PFCOUNT ip:hll
        > PFADD ip:hll f
        > GET ip:hll
        > OBJECT ENCODING ip:hll
        > CONFIG SET hll-sparse-max-bytes 3000
        > PFADD ip:sparse a b
        > PFCOUNT ip:sparse
        > PFADD ip:sparse c
        > GET ip:sparse
        > PFADD ip:sparse d e f
        > PFCOUNT ip:sparse
        > GET ip:sparse
        """);
}
