using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Strings;

/// <summary>
/// SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP against redis-server 7.0.15 and a node: the same scripts, replies compared
/// byte for byte, errors included. Each test uses its own key prefix; the two servers live for the class. BITFIELD is
/// in <c>BitFieldDifferentialTests</c>.
/// </summary>
public sealed class BitmapCommandsDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    [Fact]
    public Task SetBitGetBitGrowAndEncode() => RunAsync("""
        > SETBIT sb:k 7 1
        > GET sb:k
        > SETBIT sb:k 7 1
        > SETBIT sb:k 7 0
        > SETBIT sb:k 100 1
        > GET sb:k
        > STRLEN sb:k
        > OBJECT ENCODING sb:k
        > GETBIT sb:k 100
        > GETBIT sb:k 101
        > GETBIT sb:k 99999
        > GETBIT sb:nokey 0
        > GETBIT sb:nokey 4294967295
        > SET sb:int 12345
        > GETBIT sb:int 2
        > OBJECT ENCODING sb:int
        > SETBIT sb:int 0 0
        > OBJECT ENCODING sb:int
        > GET sb:int
        > SET sb:emb abc
        > SETBIT sb:emb 1 1
        > OBJECT ENCODING sb:emb
        > GET sb:emb
        > SET sb:bin "\x00\xff\r\n"
        > SETBIT sb:bin 0 1
        > SETBIT sb:bin 31 1
        > GET sb:bin
        > PEXPIREAT sb:bin 32503680000000
        > SETBIT sb:bin 40 1
        > PEXPIRETIME sb:bin
        > GET sb:bin
        """);

    [Fact]
    public Task SetBitAndGetBitErrors() => RunAsync("""
        > SETBIT sbe:k 4294967296 1
        > SETBIT sbe:k -1 1
        > SETBIT sbe:k abc 1
        > SETBIT sbe:k "#1" 1
        > SETBIT sbe:k 1.5 1
        > SETBIT sbe:k 1 2
        > SETBIT sbe:k 1 -1
        > SETBIT sbe:k 1 01
        > SETBIT sbe:k 1 ""
        > SETBIT sbe:k 1 x
        > EXISTS sbe:k
        > GETBIT sbe:k 4294967296
        > GETBIT sbe:k -1
        > GETBIT sbe:k x
        > SETBIT sbe:k 1
        > GETBIT sbe:k
        > GETBIT sbe:k 1 2
        > HSET sbe:h f v
        > SETBIT sbe:h 1 1
        > GETBIT sbe:h 1
        > SETBIT sbe:h x 1
        > SETBIT sbe:h 1 x
        > BITCOUNT sbe:h
        > BITCOUNT sbe:h 0 1
        > BITPOS sbe:h 1
        > BITPOS sbe:h 2
        > TYPE sbe:h
        """);

    [Fact]
    public Task BitCountRangesInBytesAndBits() => RunAsync("""
        > SET bc:s foobar
        > BITCOUNT bc:s
        > BITCOUNT bc:s 0 0
        > BITCOUNT bc:s 1 1
        > BITCOUNT bc:s 0 -1
        > BITCOUNT bc:s -3 -1 BYTE
        > BITCOUNT bc:s -1 -3
        > BITCOUNT bc:s -100 100
        > BITCOUNT bc:s 100 200
        > BITCOUNT bc:s 5 30 BIT
        > BITCOUNT bc:s 5 30 bit
        > BITCOUNT bc:s 1 5 BIT
        > BITCOUNT bc:s 7 8 BIT
        > BITCOUNT bc:s 3 3 BIT
        > BITCOUNT bc:s -5 -1 BIT
        > BITCOUNT bc:s -1000 -1 BIT
        > BITCOUNT bc:s 40 1000 BIT
        > BITCOUNT bc:s 9 2 BIT
        > BITCOUNT bc:s 0
        > BITCOUNT bc:s 0 1 2
        > BITCOUNT bc:s 0 1 bits
        > BITCOUNT bc:s 0 1 BYTE x
        > BITCOUNT bc:s a 1
        > BITCOUNT bc:s 1 a
        > BITCOUNT bc:s -1 -3 foo
        > BITCOUNT bc:nokey
        > BITCOUNT bc:nokey 0
        > BITCOUNT bc:nokey a b c d
        > SET bc:empty ""
        > BITCOUNT bc:empty
        > BITCOUNT bc:empty 0 -1
        > BITCOUNT bc:empty 0 -1 BIT
        > SET bc:int 255
        > BITCOUNT bc:int
        > BITCOUNT
        """);

    [Fact]
    public Task BitPosInBytesAndBits() => RunAsync("""
        > SET bp:s foobar
        > BITPOS bp:s 1
        > BITPOS bp:s 0
        > BITPOS bp:s 1 2
        > BITPOS bp:s 1 -1
        > BITPOS bp:s 0 2 -1
        > BITPOS bp:s 0 2 -1 BIT
        > BITPOS bp:s 1 7 15 BIT
        > BITPOS bp:s 1 7 15 bit
        > BITPOS bp:s 0 1 1 BIT
        > BITPOS bp:s 1 0 0 BIT
        > BITPOS bp:s 1 3 5 BIT
        > BITPOS bp:s 0 100 200
        > BITPOS bp:s 1 -3 -5
        > SET bp:ff "\xff\xff\xff"
        > BITPOS bp:ff 0
        > BITPOS bp:ff 0 0
        > BITPOS bp:ff 0 0 -1
        > BITPOS bp:ff 0 0 -1 BIT
        > BITPOS bp:ff 0 3 10 BIT
        > BITPOS bp:ff 1 3 10 BIT
        > BITPOS bp:ff 1 5 5 BIT
        > SET bp:zero "\x00\x00\x00"
        > BITPOS bp:zero 1
        > BITPOS bp:zero 0
        > BITPOS bp:zero 1 0 -1 BIT
        > BITPOS bp:zero 0 9 22 BIT
        > SET bp:mixed "\x00\x0f\xf0\x00"
        > BITPOS bp:mixed 1 1 2
        > BITPOS bp:mixed 1 10 30 BIT
        > BITPOS bp:mixed 0 12 19 BIT
        > BITPOS bp:mixed 1 12 19 BIT
        > BITPOS bp:nokey 0
        > BITPOS bp:nokey 1
        > BITPOS bp:nokey 0 a
        > BITPOS bp:nokey 1 0 1 bits
        > SET bp:empty ""
        > BITPOS bp:empty 0
        > BITPOS bp:empty 1
        > BITPOS bp:empty 0 0 -1
        > BITPOS bp:s 2
        > BITPOS bp:s -1
        > BITPOS bp:s x
        > BITPOS bp:s 1 x
        > BITPOS bp:s 1 0 x
        > BITPOS bp:s 1 0 1 bits
        > BITPOS bp:s 1 0 1 BIT x
        > BITPOS bp:s
        """);

    [Fact]
    public Task BitOpCombinesMissingShortAndBinarySources() => RunAsync("""
        > SET bo:{t}a foobar
        > SET bo:{t}b "\xff\x00\x0f"
        > SET bo:{t}c abcdefghij
        > BITOP AND bo:{t}d bo:{t}a bo:{t}b
        > GET bo:{t}d
        > OBJECT ENCODING bo:{t}d
        > BITOP or bo:{t}d bo:{t}a bo:{t}b bo:{t}c bo:{t}nokey
        > GET bo:{t}d
        > BITOP XOR bo:{t}d bo:{t}a bo:{t}b bo:{t}c
        > GET bo:{t}d
        > BITOP NOT bo:{t}d bo:{t}b
        > GET bo:{t}d
        > BITOP AND bo:{t}d bo:{t}a bo:{t}nokey
        > GET bo:{t}d
        > BITOP AND bo:{t}d bo:{t}a bo:{t}a
        > GET bo:{t}d
        > BITOP OR bo:{t}a bo:{t}a bo:{t}b
        > GET bo:{t}a
        > PEXPIREAT bo:{t}d 32503680000000
        > BITOP OR bo:{t}d bo:{t}b
        > PTTL bo:{t}d
        > BITOP AND bo:{t}d bo:{t}nokey bo:{t}nokey2
        > EXISTS bo:{t}d
        > BITOP NOT bo:{t}d bo:{t}nokey
        > EXISTS bo:{t}d
        > SET bo:{t}empty ""
        > BITOP OR bo:{t}d bo:{t}empty
        > EXISTS bo:{t}d
        > HSET bo:{t}h f v
        > BITOP OR bo:{t}h bo:{t}b
        > TYPE bo:{t}h
        > GET bo:{t}h
        > HSET bo:{t}h2 f v
        > BITOP OR bo:{t}d bo:{t}b bo:{t}h2
        > BITOP OR bo:{t}d bo:{t}h2 bo:{t}nokey
        > BITOP NOT bo:{t}d bo:{t}a bo:{t}b
        > BITOP NAND bo:{t}d bo:{t}a
        > BITOP AND bo:{t}d
        > BITOP
        > SET bo:{t}n 12
        > BITOP NOT bo:{t}d bo:{t}n
        > GET bo:{t}d
        """);

    [Fact]
    public Task EdgesOfTheBitOffsetFollowProtoMaxBulkLen() => RunAsync("""
        > CONFIG SET proto-max-bulk-len 1mb
        > SETBIT edge:k 8388607 1
        > SETBIT edge:k 8388608 1
        > STRLEN edge:k
        > BITCOUNT edge:k
        > BITPOS edge:k 1
        > BITPOS edge:k 0 -1
        > BITPOS edge:k 1 -1 -1 BIT
        > BITCOUNT edge:k -8 -1 BIT
        > GETBIT edge:k 8388607
        > GETBIT edge:k 8388608
        > GETBIT edge:k 4294967295
        > DEL edge:k
        > CONFIG SET proto-max-bulk-len 512mb
        """);

    /// <summary>The largest offset Redis allows by default: a 512 MB value on each server, gone again at the end.</summary>
    [Fact]
    public Task TheLastBitOfA512MegabyteBitmap() => RunAsync("""
        > SETBIT huge:k 4294967295 1
        > STRLEN huge:k
        > GETBIT huge:k 4294967295
        > GETBIT huge:k 4294967294
        > BITCOUNT huge:k
        > BITCOUNT huge:k -1 -1
        > BITPOS huge:k 1
        > BITPOS huge:k 1 -1 -1 BIT
        > SETBIT huge:k 4294967295 0
        > BITCOUNT huge:k
        > DEL huge:k
        """);
}
