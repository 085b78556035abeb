namespace PepperCache.Server.Tests;

/// <summary>
/// Exact-reply transcripts for the string commands (format: <see cref="Infrastructure.RespTranscript"/>). Every
/// transcript was replayed against Redis 7.0.15 and gave these bytes there. Each uses its own key prefix, and only
/// absolute expiry times, so the replies do not depend on the clock.
/// </summary>
internal static class StringCommandsTranscripts
{
    public static readonly Dictionary<string, string> All = new()
    {
        ["get-set-basics"] = """
            > GET s:basic:missing
            < $-1
            > SET s:basic:k hello
            < +OK
            > GET s:basic:k
            < $5
            < hello
            > SET s:basic:k ""
            < +OK
            > GET s:basic:k
            < $0
            <
            > set s:basic:k "with spaces\r\nand CRLF"
            < +OK
            > GET s:basic:k
            < $21
            < with spaces\r\nand CRLF
            """,

        ["set-nx-xx"] = """
            > SET s:nx:k v1 XX
            < $-1
            > GET s:nx:k
            < $-1
            > SET s:nx:k v1 NX
            < +OK
            > SET s:nx:k v2 NX
            < $-1
            > SET s:nx:k v3 xx
            < +OK
            > GET s:nx:k
            < $2
            < v3
            > SET s:nx:k v4 nx NX
            < $-1
            > SET s:nx:k v5 XX xx
            < +OK
            """,

        ["set-get-option"] = """
            > SET s:sg:k v1 GET
            < $-1
            > SET s:sg:k v2 GET
            < $2
            < v1
            > SET s:sg:k v3 NX GET
            < $2
            < v2
            > GET s:sg:k
            < $2
            < v2
            > SET s:sg:other x XX GET
            < $-1
            > EXISTS s:sg:other
            < :0
            > SET s:sg:k v4 GET XX
            < $2
            < v2
            > SET s:sg:k v5 GET GET
            < $2
            < v4
            """,

        ["set-syntax-errors"] = """
            > SET s:syn:k v NX XX
            < -ERR syntax error
            > SET s:syn:k v XX NX
            < -ERR syntax error
            > SET s:syn:k v EX
            < -ERR syntax error
            > SET s:syn:k v EX 10 PX 100
            < -ERR syntax error
            > SET s:syn:k v PX 100 EXAT 100
            < -ERR syntax error
            > SET s:syn:k v EXAT 100 PXAT 100
            < -ERR syntax error
            > SET s:syn:k v KEEPTTL EX 10
            < -ERR syntax error
            > SET s:syn:k v PXAT 10 KEEPTTL
            < -ERR syntax error
            > SET s:syn:k v PERSIST
            < -ERR syntax error
            > SET s:syn:k v FOO
            < -ERR syntax error
            > SET s:syn:k v EX 10 FOO
            < -ERR syntax error
            > SET s:syn:k v EX abc FOO
            < -ERR syntax error
            > SET s:syn:k v EX 0 NX XX
            < -ERR syntax error
            > EXISTS s:syn:k
            < :0
            """,

        ["set-invalid-expire"] = """
            > SET s:exp:k v EX 0
            < -ERR invalid expire time in 'set' command
            > SET s:exp:k v EX -1
            < -ERR invalid expire time in 'set' command
            > SET s:exp:k v PX 0
            < -ERR invalid expire time in 'set' command
            > SET s:exp:k v EXAT 0
            < -ERR invalid expire time in 'set' command
            > SET s:exp:k v PXAT -5
            < -ERR invalid expire time in 'set' command
            > SET s:exp:k v EX abc
            < -ERR value is not an integer or out of range
            > SET s:exp:k v PX 1.5
            < -ERR value is not an integer or out of range
            > SET s:exp:k v EX 9223372036854775808
            < -ERR value is not an integer or out of range
            > SET s:exp:k v EX 9223372036854776
            < -ERR invalid expire time in 'set' command
            > SET s:exp:k v EX 9223372036854775
            < -ERR invalid expire time in 'set' command
            > SET s:exp:k v PX 9223372036854775807
            < -ERR invalid expire time in 'set' command
            > SET s:exp:k v EXAT 9223372036854776
            < -ERR invalid expire time in 'set' command
            > EXISTS s:exp:k
            < :0
            > SETEX s:exp:k 0 v
            < -ERR invalid expire time in 'setex' command
            > SETEX s:exp:k abc v
            < -ERR value is not an integer or out of range
            > SETEX s:exp:k 9223372036854775 v
            < -ERR invalid expire time in 'setex' command
            > PSETEX s:exp:k -5 v
            < -ERR invalid expire time in 'psetex' command
            > PSETEX s:exp:k 9223372036854775807 v
            < -ERR invalid expire time in 'psetex' command
            > EXISTS s:exp:k
            < :0
            > GETEX s:exp:missing EX 0
            < $-1
            > GETEX s:exp:missing PX abc
            < $-1
            > SET s:exp:k v
            < +OK
            > GETEX s:exp:k EX 0
            < -ERR invalid expire time in 'getex' command
            > GETEX s:exp:k PXAT -1
            < -ERR invalid expire time in 'getex' command
            > GETEX s:exp:k PX abc
            < -ERR value is not an integer or out of range
            > GET s:exp:k
            < $1
            < v
            """,

        ["set-absolute-expiry-and-keepttl"] = """
            > SET s:abs:k v PXAT 32503680000123
            < +OK
            > PEXPIRETIME s:abs:k
            < :32503680000123
            > EXPIRETIME s:abs:k
            < :32503680000
            > SET s:abs:k v EXAT 32503680001
            < +OK
            > PEXPIRETIME s:abs:k
            < :32503680001000
            > SET s:abs:k v2 KEEPTTL
            < +OK
            > PEXPIRETIME s:abs:k
            < :32503680001000
            > SET s:abs:k v3 KEEPTTL GET
            < $2
            < v2
            > PEXPIRETIME s:abs:k
            < :32503680001000
            > SET s:abs:k v4
            < +OK
            > PEXPIRETIME s:abs:k
            < :-1
            > SET s:abs:k v EXAT 32503680001 EXAT 32503680002
            < +OK
            > PEXPIRETIME s:abs:k
            < :32503680002000
            > SET s:abs:k v PXAT 9223372036854775807
            < +OK
            > PEXPIRETIME s:abs:k
            < :9223372036854775807
            > EXPIRETIME s:abs:k
            < :9223372036854776
            > SET s:abs:k old PXAT 1 GET
            < $1
            < v
            > EXISTS s:abs:k
            < :0
            > SET s:abs:new v KEEPTTL
            < +OK
            > PEXPIRETIME s:abs:new
            < :-1
            """,

        ["setnx-getset-getdel"] = """
            > SETNX s:sn:k a
            < :1
            > SETNX s:sn:k b
            < :0
            > GET s:sn:k
            < $1
            < a
            > GETSET s:gs:k a
            < $-1
            > PEXPIREAT s:gs:k 32503680000000
            < :1
            > GETSET s:gs:k b
            < $1
            < a
            > PEXPIRETIME s:gs:k
            < :-1
            > GET s:gs:k
            < $1
            < b
            > GETDEL s:gd:k
            < $-1
            > SET s:gd:k v
            < +OK
            > GETDEL s:gd:k
            < $1
            < v
            > EXISTS s:gd:k
            < :0
            """,

        ["getex"] = """
            > GETEX s:gx:missing
            < $-1
            > GETEX s:gx:missing PERSIST
            < $-1
            > SET s:gx:k v
            < +OK
            > GETEX s:gx:k
            < $1
            < v
            > PEXPIRETIME s:gx:k
            < :-1
            > GETEX s:gx:k PXAT 32503680000000
            < $1
            < v
            > PEXPIRETIME s:gx:k
            < :32503680000000
            > GETEX s:gx:k EXAT 32503680001
            < $1
            < v
            > PEXPIRETIME s:gx:k
            < :32503680001000
            > GETEX s:gx:k
            < $1
            < v
            > PEXPIRETIME s:gx:k
            < :32503680001000
            > GETEX s:gx:k persist
            < $1
            < v
            > PEXPIRETIME s:gx:k
            < :-1
            > GETEX s:gx:k PERSIST PERSIST
            < $1
            < v
            > GETEX s:gx:k PERSIST EX 10
            < -ERR syntax error
            > GETEX s:gx:k EX 10 PERSIST
            < -ERR syntax error
            > GETEX s:gx:k EX 10 PX 10
            < -ERR syntax error
            > GETEX s:gx:k KEEPTTL
            < -ERR syntax error
            > GETEX s:gx:k NX
            < -ERR syntax error
            > GETEX s:gx:k GET
            < -ERR syntax error
            > GETEX s:gx:k EX
            < -ERR syntax error
            > GETEX s:gx:missing FOO
            < -ERR syntax error
            > GETEX s:gx:k PXAT 1
            < $1
            < v
            > EXISTS s:gx:k
            < :0
            """,

        ["mget-mset-msetnx"] = """
            > MSET s:m:a 1 s:m:b 2 s:m:a 3
            < +OK
            > MGET s:m:a s:m:b s:m:missing s:m:a
            < *4
            < $1
            < 3
            < $1
            < 2
            < $-1
            < $1
            < 3
            > PEXPIREAT s:m:a 32503680000000
            < :1
            > MSET s:m:a 4
            < +OK
            > PEXPIRETIME s:m:a
            < :-1
            > MSET s:m:a
            < -ERR wrong number of arguments for 'mset' command
            > MSET s:m:a 1 s:m:b
            < -ERR wrong number of arguments for 'mset' command
            > MSETNX s:m:c 1 s:m:a 2
            < :0
            > MGET s:m:c s:m:a
            < *2
            < $-1
            < $1
            < 4
            > MSETNX s:m:c 1 s:m:d 2
            < :1
            > MGET s:m:c s:m:d
            < *2
            < $1
            < 1
            < $1
            < 2
            > MSETNX s:m:e 1 s:m:e 2
            < :1
            > GET s:m:e
            < $1
            < 2
            > MSETNX s:m:f 1 s:m:g
            < -ERR wrong number of arguments for 'msetnx' command
            > MGET
            < -ERR wrong number of arguments for 'mget' command
            """,

        ["append-strlen"] = """
            > APPEND s:ap:k Hello
            < :5
            > APPEND s:ap:k " World"
            < :11
            > GET s:ap:k
            < $11
            < Hello World
            > STRLEN s:ap:k
            < :11
            > STRLEN s:ap:missing
            < :0
            > PEXPIREAT s:ap:k 32503680000000
            < :1
            > APPEND s:ap:k !
            < :12
            > PEXPIRETIME s:ap:k
            < :32503680000000
            > APPEND s:ap:k ""
            < :12
            > APPEND s:ap:new ""
            < :0
            > EXISTS s:ap:new
            < :1
            > STRLEN s:ap:new
            < :0
            """,

        ["incr-decr"] = """
            > INCR s:i:k
            < :1
            > INCRBY s:i:k 10
            < :11
            > DECR s:i:k
            < :10
            > DECRBY s:i:k 20
            < :-10
            > INCRBY s:i:k -5
            < :-15
            > DECRBY s:i:k -15
            < :0
            > GET s:i:k
            < $1
            < 0
            > SET s:i:max 9223372036854775807
            < +OK
            > INCR s:i:max
            < -ERR increment or decrement would overflow
            > DECRBY s:i:max -1
            < -ERR increment or decrement would overflow
            > GET s:i:max
            < $19
            < 9223372036854775807
            > SET s:i:min -9223372036854775808
            < +OK
            > DECR s:i:min
            < -ERR increment or decrement would overflow
            > INCRBY s:i:min -1
            < -ERR increment or decrement would overflow
            > DECRBY s:i:z -9223372036854775808
            < -ERR decrement would overflow
            > INCRBY s:i:z -9223372036854775808
            < :-9223372036854775808
            > INCRBY s:i:k abc
            < -ERR value is not an integer or out of range
            > INCRBY s:i:k 9223372036854775808
            < -ERR value is not an integer or out of range
            > INCRBY s:i:k "1 "
            < -ERR value is not an integer or out of range
            > DECRBY s:i:k 01
            < -ERR value is not an integer or out of range
            > SET s:i:s abc
            < +OK
            > INCR s:i:s
            < -ERR value is not an integer or out of range
            > SET s:i:sp " 1"
            < +OK
            > DECR s:i:sp
            < -ERR value is not an integer or out of range
            > SET s:i:t 10
            < +OK
            > PEXPIREAT s:i:t 32503680000000
            < :1
            > INCR s:i:t
            < :11
            > PEXPIRETIME s:i:t
            < :32503680000000
            """,

        ["incrbyfloat"] = """
            > SET s:f:k 10.50
            < +OK
            > INCRBYFLOAT s:f:k 0.1
            < $4
            < 10.6
            > INCRBYFLOAT s:f:k -5
            < $3
            < 5.6
            > SET s:f:e 5.0e3
            < +OK
            > INCRBYFLOAT s:f:e 2.0e2
            < $4
            < 5200
            > INCRBYFLOAT s:f:new 3
            < $1
            < 3
            > INCRBYFLOAT s:f:new +.5
            < $3
            < 3.5
            > INCRBYFLOAT s:f:new -3.5
            < $1
            < 0
            > INCRBYFLOAT s:f:k abc
            < -ERR value is not a valid float
            > INCRBYFLOAT s:f:k nan
            < -ERR value is not a valid float
            > INCRBYFLOAT s:f:k " 1"
            < -ERR value is not a valid float
            > INCRBYFLOAT s:f:k "1 "
            < -ERR value is not a valid float
            > INCRBYFLOAT s:f:k ""
            < -ERR value is not a valid float
            > INCRBYFLOAT s:f:k inf
            < -ERR increment would produce NaN or Infinity
            > INCRBYFLOAT s:f:k -Infinity
            < -ERR increment would produce NaN or Infinity
            > SET s:f:s abc
            < +OK
            > INCRBYFLOAT s:f:s 1
            < -ERR value is not a valid float
            > INCRBYFLOAT s:f:s abc
            < -ERR value is not a valid float
            > SET s:f:i 10
            < +OK
            > INCRBYFLOAT s:f:i 1
            < $2
            < 11
            > PEXPIREAT s:f:i 32503680000000
            < :1
            > INCRBYFLOAT s:f:i 1.5
            < $4
            < 12.5
            > PEXPIRETIME s:f:i
            < :32503680000000
            """,

        ["getrange"] = """
            > SET s:gr:k "Hello World"
            < +OK
            > GETRANGE s:gr:k 0 4
            < $5
            < Hello
            > GETRANGE s:gr:k 0 -1
            < $11
            < Hello World
            > GETRANGE s:gr:k -5 -1
            < $5
            < World
            > GETRANGE s:gr:k -1 -5
            < $0
            <
            > GETRANGE s:gr:k 5 2
            < $0
            <
            > GETRANGE s:gr:k 100 200
            < $0
            <
            > GETRANGE s:gr:k -100 4
            < $5
            < Hello
            > GETRANGE s:gr:k 6 1000
            < $5
            < World
            > GETRANGE s:gr:k -9223372036854775808 9223372036854775807
            < $11
            < Hello World
            > GETRANGE s:gr:k 3 -100
            < $0
            <
            > GETRANGE s:gr:missing 0 -1
            < $0
            <
            > GETRANGE s:gr:k a 1
            < -ERR value is not an integer or out of range
            > GETRANGE s:gr:missing 0 b
            < -ERR value is not an integer or out of range
            > SET s:gr:e ""
            < +OK
            > GETRANGE s:gr:e 0 -1
            < $0
            <
            """,

        ["setrange"] = """
            > SETRANGE s:sr:pad 3 ab
            < :5
            > GET s:sr:pad
            < $5
            < \0\0\0ab
            > SET s:sr:k "Hello World"
            < +OK
            > SETRANGE s:sr:k 6 Redis
            < :11
            > GET s:sr:k
            < $11
            < Hello Redis
            > SETRANGE s:sr:k 13 x
            < :14
            > GET s:sr:k
            < $14
            < Hello Redis\0\0x
            > SETRANGE s:sr:k -1 x
            < -ERR offset is out of range
            > SETRANGE s:sr:k abc x
            < -ERR value is not an integer or out of range
            > SETRANGE s:sr:k 0 ""
            < :14
            > SETRANGE s:sr:k 1000000000 ""
            < :14
            > SETRANGE s:sr:missing 5 ""
            < :0
            > EXISTS s:sr:missing
            < :0
            > SETRANGE s:sr:missing -1 ""
            < -ERR offset is out of range
            > SETRANGE s:sr:k 536870911 xx
            < -ERR string exceeds maximum allowed size (proto-max-bulk-len)
            > SETRANGE s:sr:missing 536870912 x
            < -ERR string exceeds maximum allowed size (proto-max-bulk-len)
            > SETRANGE s:sr:k 9223372036854775807 x
            < -ERR string exceeds maximum allowed size (proto-max-bulk-len)
            > EXISTS s:sr:missing
            < :0
            > PEXPIREAT s:sr:k 32503680000000
            < :1
            > SETRANGE s:sr:k 0 h
            < :14
            > PEXPIRETIME s:sr:k
            < :32503680000000
            """,

        ["arity"] = """
            > GET
            < -ERR wrong number of arguments for 'get' command
            > GET a b
            < -ERR wrong number of arguments for 'get' command
            > SET a
            < -ERR wrong number of arguments for 'set' command
            > SETNX a
            < -ERR wrong number of arguments for 'setnx' command
            > SETEX a 10
            < -ERR wrong number of arguments for 'setex' command
            > PSETEX a 10 v x
            < -ERR wrong number of arguments for 'psetex' command
            > GETSET a
            < -ERR wrong number of arguments for 'getset' command
            > GETDEL a b
            < -ERR wrong number of arguments for 'getdel' command
            > GETEX
            < -ERR wrong number of arguments for 'getex' command
            > MSETNX a
            < -ERR wrong number of arguments for 'msetnx' command
            > APPEND a
            < -ERR wrong number of arguments for 'append' command
            > STRLEN
            < -ERR wrong number of arguments for 'strlen' command
            > INCR a b
            < -ERR wrong number of arguments for 'incr' command
            > DECR
            < -ERR wrong number of arguments for 'decr' command
            > INCRBY a
            < -ERR wrong number of arguments for 'incrby' command
            > DECRBY a
            < -ERR wrong number of arguments for 'decrby' command
            > INCRBYFLOAT a
            < -ERR wrong number of arguments for 'incrbyfloat' command
            > GETRANGE a 0
            < -ERR wrong number of arguments for 'getrange' command
            > SETRANGE a 0
            < -ERR wrong number of arguments for 'setrange' command
            """,
    };
}
