namespace PepperCache.Server.Tests;

/// <summary>
/// Exact-reply transcripts for the string commands (format: <see cref="Infrastructure.RespTranscript"/>). Every
/// transcript was replayed against Redis 7.0.15 and gave these bytes there. Each uses its own key prefix, and only
/// absolute expiry times, so the replies do not depend on the clock. Split by concern: this file (reads, counters,
/// ranges, multi-key, arity) and <c>StringCommandsTranscripts.Set.cs</c> (SET options and expiry, GETEX).
/// </summary>
internal static partial class StringCommandsTranscripts
{
    /// <summary>Every string transcript by name (built on each call: cheap, and free of cross-file initialisation order).</summary>
    public static Dictionary<string, string> All => new(Values.Concat(SetFamily));

    private static Dictionary<string, string> Values => new()
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
            # Long double arithmetic and strtold parsing, as Redis: 0.1 + 0.2 is 0.3, hex floats are accepted.
            > INCRBYFLOAT s:f:ld 0.1
            < $3
            < 0.1
            > INCRBYFLOAT s:f:ld 0.2
            < $3
            < 0.3
            > INCRBYFLOAT s:f:hex 0x10
            < $2
            < 16
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
