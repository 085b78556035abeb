namespace PepperCache.Server.Tests;

/// <summary>
/// Exact-reply transcripts for the keyspace commands (format: <see cref="Infrastructure.RespTranscript"/>),
/// each replayed against Redis 7.0.15 with the same bytes back. Own key prefixes, absolute expiry times only.
/// </summary>
internal static class KeyCommandsTranscripts
{
    public static readonly Dictionary<string, string> All = new()
    {
        ["del-unlink-exists-touch"] = """
            > MSET k:d:a 1 k:d:b 2 k:d:c 3
            < +OK
            > EXISTS k:d:a k:d:a k:d:missing k:d:b
            < :3
            > TOUCH k:d:a k:d:a k:d:missing
            < :2
            > DEL k:d:a k:d:missing k:d:a
            < :1
            > UNLINK k:d:b k:d:c k:d:b
            < :2
            > EXISTS k:d:a k:d:b k:d:c
            < :0
            > DEL k:d:a
            < :0
            > TOUCH k:d:a
            < :0
            """,

        ["type"] = """
            > TYPE k:t:missing
            < +none
            > SET k:t:k v
            < +OK
            > TYPE k:t:k
            < +string
            > SET k:t:gone v PXAT 1
            < +OK
            > TYPE k:t:gone
            < +none
            """,

        ["ttl-family-without-expiry"] = """
            > TTL k:ttl:missing
            < :-2
            > PTTL k:ttl:missing
            < :-2
            > EXPIRETIME k:ttl:missing
            < :-2
            > PEXPIRETIME k:ttl:missing
            < :-2
            > SET k:ttl:k v
            < +OK
            > TTL k:ttl:k
            < :-1
            > PTTL k:ttl:k
            < :-1
            > EXPIRETIME k:ttl:k
            < :-1
            > PEXPIRETIME k:ttl:k
            < :-1
            > EXPIREAT k:ttl:k 32503680000
            < :1
            > EXPIRETIME k:ttl:k
            < :32503680000
            > PEXPIREAT k:ttl:k 32503680000499
            < :1
            > EXPIRETIME k:ttl:k
            < :32503680000
            > PEXPIREAT k:ttl:k 32503680000500
            < :1
            > EXPIRETIME k:ttl:k
            < :32503680001
            > PERSIST k:ttl:k
            < :1
            > PERSIST k:ttl:k
            < :0
            > PERSIST k:ttl:missing
            < :0
            > TTL k:ttl:k
            < :-1
            """,

        ["expire-conditions"] = """
            > SET k:e:k v
            < +OK
            > EXPIRE k:e:k 100 XX
            < :0
            > EXPIRE k:e:k 100 GT
            < :0
            > PEXPIRETIME k:e:k
            < :-1
            > PEXPIREAT k:e:k 32503680000000 NX
            < :1
            > PEXPIREAT k:e:k 32503690000000 nx
            < :0
            > PEXPIREAT k:e:k 32503670000000 GT
            < :0
            > PEXPIREAT k:e:k 32503690000000 GT
            < :1
            > PEXPIREAT k:e:k 32503690000000 GT
            < :0
            > PEXPIREAT k:e:k 32503695000000 LT
            < :0
            > PEXPIREAT k:e:k 32503690000000 LT
            < :0
            > PEXPIREAT k:e:k 32503680000000 lt
            < :1
            > PEXPIREAT k:e:k 32503680000001 XX
            < :1
            > PEXPIREAT k:e:k 32503681000000 XX GT
            < :1
            > PEXPIREAT k:e:k 32503680000000 XX LT
            < :1
            > PEXPIRETIME k:e:k
            < :32503680000000
            > EXPIREAT k:e:k 32503682000
            < :1
            > EXPIRETIME k:e:k
            < :32503682000
            > PERSIST k:e:k
            < :1
            > PEXPIREAT k:e:k 32503680000000 XX LT
            < :0
            > PEXPIREAT k:e:k 32503680000000 GT XX
            < :0
            > PEXPIRETIME k:e:k
            < :-1
            > PEXPIREAT k:e:k 32503680000000 LT
            < :1
            > PEXPIRETIME k:e:k
            < :32503680000000
            > EXPIRE k:e:missing 100
            < :0
            > PEXPIREAT k:e:missing 32503680000000 LT
            < :0
            """,

        ["expire-option-errors"] = """
            > SET k:eo:k v
            < +OK
            > EXPIRE k:eo:k 100 NX XX
            < -ERR NX and XX, GT or LT options at the same time are not compatible
            > EXPIRE k:eo:k 100 NX GT
            < -ERR NX and XX, GT or LT options at the same time are not compatible
            > PEXPIRE k:eo:k 100 lt nx
            < -ERR NX and XX, GT or LT options at the same time are not compatible
            > EXPIREAT k:eo:k 100 GT LT
            < -ERR GT and LT options at the same time are not compatible
            > PEXPIREAT k:eo:k 100 NX GT LT
            < -ERR NX and XX, GT or LT options at the same time are not compatible
            > EXPIRE k:eo:k 100 FOO
            < -ERR Unsupported option FOO
            > EXPIRE k:eo:k abc foo
            < -ERR Unsupported option foo
            > EXPIRE k:eo:k 100 NX "bad\r\nopt"
            < -ERR Unsupported option bad  opt
            > EXPIRE k:eo:k abc
            < -ERR value is not an integer or out of range
            > EXPIRE k:eo:missing abc NX XX
            < -ERR NX and XX, GT or LT options at the same time are not compatible
            > PEXPIRETIME k:eo:k
            < :-1
            """,

        ["expire-overflow"] = """
            > SET k:o:k v
            < +OK
            > EXPIRE k:o:k 9223372036854776
            < -ERR invalid expire time in 'expire' command
            > EXPIRE k:o:k -9223372036854776
            < -ERR invalid expire time in 'expire' command
            > EXPIRE k:o:k 9223372036854775
            < -ERR invalid expire time in 'expire' command
            > PEXPIRE k:o:k 9223372036854775807
            < -ERR invalid expire time in 'pexpire' command
            > EXPIREAT k:o:k 9223372036854775807
            < -ERR invalid expire time in 'expireat' command
            > EXPIRE k:o:missing 9223372036854776
            < -ERR invalid expire time in 'expire' command
            > PEXPIRE k:o:k 9223372036854775808
            < -ERR value is not an integer or out of range
            > PEXPIRETIME k:o:k
            < :-1
            > EXPIREAT k:o:k 9223372036854775
            < :1
            > PEXPIRETIME k:o:k
            < :9223372036854775000
            > PEXPIREAT k:o:k 9223372036854775807
            < :1
            > PEXPIRETIME k:o:k
            < :9223372036854775807
            > EXPIRETIME k:o:k
            < :9223372036854776
            > PEXPIRE k:o:k -9223372036854775808
            < :1
            > EXISTS k:o:k
            < :0
            """,

        ["expire-in-the-past-deletes"] = """
            > MSET k:p:a v k:p:b v k:p:c v k:p:d v k:p:e v
            < +OK
            > PEXPIREAT k:p:a 1
            < :1
            > EXPIRE k:p:b -1
            < :1
            > EXPIREAT k:p:c 0
            < :1
            > PEXPIRE k:p:d 0
            < :1
            > EXISTS k:p:a k:p:b k:p:c k:p:d
            < :0
            > PEXPIREAT k:p:e 32503680000000
            < :1
            > PEXPIREAT k:p:e 1 GT
            < :0
            > EXISTS k:p:e
            < :1
            > PEXPIREAT k:p:e 1 NX
            < :0
            > EXISTS k:p:e
            < :1
            > PEXPIREAT k:p:e -5 LT
            < :1
            > EXISTS k:p:e
            < :0
            > GET k:p:e
            < $-1
            """,

        ["rename"] = """
            > RENAME k:r:missing k:r:x
            < -ERR no such key
            > RENAMENX k:r:missing k:r:x
            < -ERR no such key
            > RENAME k:r:missing k:r:missing
            < -ERR no such key
            > RENAMENX k:r:missing k:r:missing
            < -ERR no such key
            > SET k:r:a 1 PXAT 32503680000000
            < +OK
            > RENAME k:r:a k:r:a
            < +OK
            > RENAMENX k:r:a k:r:a
            < :0
            > RENAME k:r:a k:r:b
            < +OK
            > EXISTS k:r:a
            < :0
            > GET k:r:b
            < $1
            < 1
            > PEXPIRETIME k:r:b
            < :32503680000000
            > SET k:r:c 3
            < +OK
            > RENAMENX k:r:b k:r:c
            < :0
            > GET k:r:c
            < $1
            < 3
            > RENAMENX k:r:b k:r:d
            < :1
            > RENAME k:r:d k:r:c
            < +OK
            > MGET k:r:b k:r:d k:r:c
            < *3
            < $-1
            < $-1
            < $1
            < 1
            > PEXPIRETIME k:r:c
            < :32503680000000
            > SET k:r:e 5
            < +OK
            > RENAME k:r:e k:r:c
            < +OK
            > PEXPIRETIME k:r:c
            < :-1
            """,

        ["keys-patterns"] = """
            > MSET k:keys:one 1 k:keys:two 2
            < +OK
            > KEYS k:keys:o*
            < *1
            < $10
            < k:keys:one
            > KEYS k:keys:?ne
            < *1
            < $10
            < k:keys:one
            > KEYS k:keys:[ot]ne
            < *1
            < $10
            < k:keys:one
            > KEYS k:keys:[^o]wo
            < *1
            < $10
            < k:keys:two
            > KEYS k:keys:\o*
            < *1
            < $10
            < k:keys:one
            > KEYS k:keys:nothing*
            < *0
            > KEYS k:keys:one
            < *1
            < $10
            < k:keys:one
            """,

        ["scan-errors"] = """
            > SCAN abc
            < -ERR invalid cursor
            > SCAN " 0"
            < -ERR invalid cursor
            > SCAN "0 "
            < -ERR invalid cursor
            > SCAN 1.5
            < -ERR invalid cursor
            > SCAN 18446744073709551616
            < -ERR invalid cursor
            > SCAN -
            < -ERR invalid cursor
            > SCAN abc COUNT 0
            < -ERR invalid cursor
            > SCAN 0 COUNT 0
            < -ERR syntax error
            > SCAN 0 COUNT -1
            < -ERR syntax error
            > SCAN 0 COUNT abc
            < -ERR value is not an integer or out of range
            > SCAN 0 MATCH
            < -ERR syntax error
            > SCAN 0 COUNT
            < -ERR syntax error
            > SCAN 0 FOO bar
            < -ERR syntax error
            > SCAN 0 MATCH * FOO
            < -ERR syntax error
            > SCAN 0 count 5 COUNT 0
            < -ERR syntax error
            """,

        ["arity"] = """
            > DEL
            < -ERR wrong number of arguments for 'del' command
            > UNLINK
            < -ERR wrong number of arguments for 'unlink' command
            > EXISTS
            < -ERR wrong number of arguments for 'exists' command
            > TYPE
            < -ERR wrong number of arguments for 'type' command
            > TOUCH
            < -ERR wrong number of arguments for 'touch' command
            > EXPIRE k
            < -ERR wrong number of arguments for 'expire' command
            > PEXPIREAT k
            < -ERR wrong number of arguments for 'pexpireat' command
            > TTL k k
            < -ERR wrong number of arguments for 'ttl' command
            > PEXPIRETIME
            < -ERR wrong number of arguments for 'pexpiretime' command
            > PERSIST
            < -ERR wrong number of arguments for 'persist' command
            > KEYS
            < -ERR wrong number of arguments for 'keys' command
            > KEYS a b
            < -ERR wrong number of arguments for 'keys' command
            > SCAN
            < -ERR wrong number of arguments for 'scan' command
            > RENAME a
            < -ERR wrong number of arguments for 'rename' command
            > RENAMENX a b c
            < -ERR wrong number of arguments for 'renamenx' command
            > RANDOMKEY a
            < -ERR wrong number of arguments for 'randomkey' command
            """,
    };
}
