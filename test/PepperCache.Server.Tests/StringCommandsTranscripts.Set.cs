namespace PepperCache.Server.Tests;

// SET's option grammar and expiry validation, SETEX/PSETEX errors, KEEPTTL, GETEX.
internal static partial class StringCommandsTranscripts
{
    private static Dictionary<string, string> SetFamily => new()
    {
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
    };
}
