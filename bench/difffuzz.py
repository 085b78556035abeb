#!/usr/bin/env python3
"""Random command scripts played on redis-server and a PepperCache node at once, replies compared.

A measuring tool, not a test (bench/difffuzz.sh starts both servers and runs it). Each seed is one script of
--commands commands drawn from the table below over five keys, members and numbers chosen for their edges (integers
at 64-bit limits, inf, nan, hex, leading space, empty, binary), half the seeds with the compact encodings' thresholds
lowered so conversions happen. Replies Redis leaves unordered are compared as sets. With --state, both servers'
keys (type, OBJECT ENCODING, content) are compared after every command, which finds a divergence where it starts.
Commands whose replies depend on timing or randomness are drawn only in forms that do not (a count covering the
whole collection, expiries far off). What it found is pinned in FuzzFoundDifferentialTests and the per-type
differential tests. Exit status: 1 if any seed differed.
"""
import argparse, random, socket, sys

def conn(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    return s, s.makefile("rb")

def enc(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str): a = a.encode("latin-1")
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)

def read(f):
    line = f.readline()
    if not line: raise EOFError("connection closed")
    t, rest = line[:1], line[1:-2]
    if t in b"+-:": return (t, rest)
    if t == b"$":
        n = int(rest)
        return (b"$", None) if n < 0 else (b"$", f.read(n + 2)[:-2])
    if t == b"*":
        n = int(rest)
        return (b"*", None) if n < 0 else (b"*", tuple(read(f) for _ in range(n)))
    # RESP3 (--resp3): null, double, boolean, big number, verbatim and blob error; set, map, push.
    if t in b"_,#(": return (t, rest)
    if t in b"=!":
        data = f.read(int(rest) + 2)[:-2]
        return (t, data)
    if t in b"~>":
        return (t, tuple(read(f) for _ in range(int(rest))))
    if t == b"%":
        return (t, tuple((read(f), read(f)) for _ in range(int(rest))))
    raise ValueError(line)

KEYS = ["k1", "k2", "k3", "{k}1", "{k}2"]
MEMBERS = ["a", "b", "c", "1", "2", "10", "-1", "0", "3.5", "-0", "007", "x" * 70, "", "\x00\xff", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e3", " 1", "inf", "-inf", "+inf", "nan", "0x10", "1.5e300"]
NUMS = ["0", "1", "-1", "2", "3", "5", "-2", "-5", "100", "-100", "9223372036854775807", "-9223372036854775808", "99999999999999999999", "1.5", "abc", "", "+1", " 2", "inf", "-inf", "nan", "1e2", "0.1", "-0", "4294967296", "2147483648", "-2147483649"]

def key(): return random.choice(KEYS)
def mem(): return random.choice(MEMBERS)
def num(): return random.choice(NUMS)
def ttl(): return random.choice(["100000", "0", "-1", "abc", "9223372036854775807", "1.5", "", " 2", "-2147483649", "99999999999999999999", "4294967296000"])
def smallint(): return random.choice(["0", "1", "2", "3", "-1", "-2", "-3", "10", "-10", "100", "-100", "5"])
def score(): return random.choice(["0", "1", "-1", "2.5", "-2.5", "inf", "-inf", "+inf", "1e10", "3", "(1", "(2.5", "(-inf", "nan", "abc", "1.7976931348623157e308", "0.1", "5"])
def lexr(): return random.choice(["-", "+", "[a", "(a", "[b", "(c", "[", "(", "a", "[1", "(10"])
def btime(): return random.choice(["0.01", "0.01", "0.01", "-1", "abc", "inf", "0.001"])
def many(g, lo=1, hi=4): return [g() for _ in range(random.randint(lo, hi))]
def opt(*choices): return [c for c in choices if random.random() < 0.3]
def pairs(a, b, lo=1, hi=3):
    r = []
    for _ in range(random.randint(lo, hi)): r += [a(), b()]
    return r

G = {
 # strings
 "SET": lambda: [key(), mem()] + opt("NX", "XX", "GET", "KEEPTTL"),
 "GET": lambda: [key()],
 "APPEND": lambda: [key(), mem()],
 "GETRANGE": lambda: [key(), smallint(), smallint()],
 "SETRANGE": lambda: [key(), random.choice(["0", "1", "5", "-1", "100"]), mem()],
 "INCR": lambda: [key()], "DECR": lambda: [key()],
 "INCRBY": lambda: [key(), num()], "DECRBY": lambda: [key(), num()],
 "INCRBYFLOAT": lambda: [key(), num()],
 "STRLEN": lambda: [key()], "GETSET": lambda: [key(), mem()], "GETDEL": lambda: [key()],
 "MSET": lambda: pairs(key, mem), "MGET": lambda: many(key), "MSETNX": lambda: pairs(key, mem), "SETNX": lambda: [key(), mem()],
 "LCS": lambda: [key(), key()] + opt("LEN", "IDX", "WITHMATCHLEN") + (["MINMATCHLEN", smallint()] if random.random() < 0.2 else []),
 "SETBIT": lambda: [key(), random.choice(["0", "1", "7", "8", "15", "100", "-1", "4294967296"]), random.choice(["0", "1", "2"])],
 "GETBIT": lambda: [key(), random.choice(["0", "1", "7", "100", "-1"])],
 "BITCOUNT": lambda: [key()] + ([smallint(), smallint()] + opt("BYTE", "BIT") if random.random() < 0.6 else []),
 "BITPOS": lambda: [key(), random.choice(["0", "1", "2"])] + ([smallint()] if random.random() < 0.5 else []) + ([smallint()] if random.random() < 0.4 else []) + opt("BYTE", "BIT"),
 "BITOP": lambda: [random.choice(["AND", "OR", "XOR", "NOT", "FOO"]), key()] + many(key, 1, 3),
 "BITFIELD": lambda: [key()] + sum(([random.choice(["GET", "SET", "INCRBY", "OVERFLOW"])] + ([random.choice(["WRAP", "SAT", "FAIL", "X"])] if random.random() < 0.3 else [random.choice(["u8", "i8", "u1", "i64", "u63", "u64", "i5", "x"]), random.choice(["0", "#1", "7", "100", "-1"])] + ([num()] if random.random() < 0.6 else [])) for _ in range(random.randint(1, 3))), []),
 # keys
 "DEL": lambda: many(key), "EXISTS": lambda: many(key), "TYPE": lambda: [key()], "UNLINK": lambda: many(key),
 "RENAME": lambda: [key(), key()], "RENAMENX": lambda: [key(), key()],
 "COPY": lambda: [key(), key()] + opt("REPLACE"),
 # RESTORE of what redis-server's DUMP gives for a key (run() asks it), on both servers: every type and encoding
 # Redis writes, read back under the seed's thresholds. "@dump:k" stands for the payload in the history printed.
 "RESTORE": lambda: [key(), random.choice(["0", "0", "100000"]), "@dump:" + key()] + opt("REPLACE"),
 # Blocking forms with a 10 ms timeout (or a bad one): on a key that has elements they answer at once, as the
 # non-blocking ones; on an empty one both servers wait out the timeout and answer nil.
 "BLPOP": lambda: many(key, 1, 3) + [btime()], "BRPOP": lambda: many(key, 1, 3) + [btime()],
 "BRPOPLPUSH": lambda: [key(), key(), btime()],
 "BLMOVE": lambda: [key(), key(), random.choice(["LEFT", "RIGHT"]), random.choice(["LEFT", "RIGHT", "UP"]), btime()],
 "BLMPOP": lambda: (lambda ks: [btime(), str(len(ks))] + ks + [random.choice(["LEFT", "RIGHT", "X"])] + (["COUNT", smallint()] if random.random() < 0.4 else []))(many(key, 1, 3)),
 "BZPOPMIN": lambda: many(key, 1, 3) + [btime()], "BZPOPMAX": lambda: many(key, 1, 3) + [btime()],
 "BZMPOP": lambda: (lambda ks: [btime(), str(len(ks))] + ks + [random.choice(["MIN", "MAX", "X"])] + (["COUNT", smallint()] if random.random() < 0.4 else []))(many(key, 1, 3)),
 "GEORADIUS_RO": lambda: [key(), "15", "37", random.choice(["200", "0", "-1"]), random.choice(["km", "m", "x"])] + opt("WITHDIST", "WITHCOORD", "ASC", "DESC") + random.choice([[], ["COUNT", smallint()], ["STORE", key()]]),
 "GEORADIUSBYMEMBER_RO": lambda: [key(), mem(), random.choice(["200", "1000", "0"]), "km"] + opt("WITHDIST", "ASC"),
 "SUBSTR": lambda: [key(), smallint(), smallint()],
 # Payloads compared byte for byte where the layout is Redis's too (docs/commands.md, DUMP): strings, listpacks,
 # skip lists; not hash tables (each server's own order), quicklists (Redis's nodes keep the pushes' history) or
 # intsets (Redis keeps a width it once grew to). RESTORE above reads those back.
 "DUMP": lambda: [key()],
 "OBJECT": lambda: ["ENCODING", key()],  # REFCOUNT is answered from the settings now (docs/commands.md)
 "PERSIST": lambda: [key()], "TTL": lambda: [key()],
 "EXPIRE": lambda: [key(), random.choice(["100", "1000", "-1", "0", "abc", "9223372036854775807"])] + opt("NX", "XX", "GT", "LT"),
 # hashes
 "HSET": lambda: [key()] + pairs(mem, mem), "HSETNX": lambda: [key(), mem(), mem()], "HGET": lambda: [key(), mem()],
 "HMGET": lambda: [key()] + many(mem), "HMSET": lambda: [key()] + pairs(mem, mem), "HDEL": lambda: [key()] + many(mem),
 "HEXISTS": lambda: [key(), mem()], "HLEN": lambda: [key()], "HSTRLEN": lambda: [key(), mem()],
 "HINCRBY": lambda: [key(), mem(), num()], "HINCRBYFLOAT": lambda: [key(), mem(), num()],
 "HKEYS": lambda: [key()], "HVALS": lambda: [key()], "HGETALL": lambda: [key()],
 # lists
 "LPUSH": lambda: [key()] + many(mem), "RPUSH": lambda: [key()] + many(mem), "LPUSHX": lambda: [key()] + many(mem), "RPUSHX": lambda: [key()] + many(mem),
 "LPOP": lambda: [key()] + ([smallint()] if random.random() < 0.4 else []), "RPOP": lambda: [key()] + ([smallint()] if random.random() < 0.4 else []),
 "LLEN": lambda: [key()], "LRANGE": lambda: [key(), smallint(), smallint()], "LINDEX": lambda: [key(), smallint()],
 "LSET": lambda: [key(), smallint(), mem()], "LINSERT": lambda: [key(), random.choice(["BEFORE", "AFTER", "X"]), mem(), mem()],
 "LREM": lambda: [key(), smallint(), mem()], "LTRIM": lambda: [key(), smallint(), smallint()],
 "LPOS": lambda: [key(), mem()] + sum(([random.choice(["RANK", "COUNT", "MAXLEN"]), smallint()] for _ in range(random.randint(0, 2))), []),
 "LMOVE": lambda: [key(), key(), random.choice(["LEFT", "RIGHT"]), random.choice(["LEFT", "RIGHT", "UP"])],
 "RPOPLPUSH": lambda: [key(), key()],
 "LMPOP": lambda: (lambda ks: [str(len(ks))] + ks + [random.choice(["LEFT", "RIGHT", "X"])] + (["COUNT", smallint()] if random.random() < 0.4 else []))(many(key, 1, 3)),
 # sets
 "SADD": lambda: [key()] + many(mem), "SREM": lambda: [key()] + many(mem), "SISMEMBER": lambda: [key(), mem()],
 "SMISMEMBER": lambda: [key()] + many(mem), "SCARD": lambda: [key()], "SMOVE": lambda: [key(), key(), mem()],
 "SMEMBERS": lambda: [key()], "SINTER": lambda: many(key), "SUNION": lambda: many(key), "SDIFF": lambda: many(key),
 "SINTERSTORE": lambda: [key()] + many(key), "SUNIONSTORE": lambda: [key()] + many(key), "SDIFFSTORE": lambda: [key()] + many(key),
 "SINTERCARD": lambda: (lambda ks: [random.choice([str(len(ks)), "0", "5"])] + ks + (["LIMIT", smallint()] if random.random() < 0.4 else []))(many(key, 1, 3)),
 # zsets
 "ZADD": lambda: [key()] + opt("NX", "XX", "GT", "LT", "CH", "INCR") + pairs(score, mem),
 "ZINCRBY": lambda: [key(), score(), mem()], "ZREM": lambda: [key()] + many(mem), "ZSCORE": lambda: [key(), mem()],
 "ZMSCORE": lambda: [key()] + many(mem), "ZCARD": lambda: [key()], "ZCOUNT": lambda: [key(), score(), score()],
 "ZLEXCOUNT": lambda: [key(), lexr(), lexr()],
 "ZRANGE": lambda: (lambda by: [key()] + ([lexr(), lexr()] if by == "BYLEX" else [score(), score()] if by == "BYSCORE" else [smallint(), smallint()]) + ([by] if by else []) + opt("REV", "WITHSCORES") + (["LIMIT", smallint(), smallint()] if random.random() < 0.3 else []))(random.choice(["", "BYSCORE", "BYLEX"])),
 "ZRANGESTORE": lambda: [key(), key(), smallint(), smallint()] + opt("REV"),
 "ZRANGEBYSCORE": lambda: [key(), score(), score()] + opt("WITHSCORES") + (["LIMIT", smallint(), smallint()] if random.random() < 0.3 else []),
 "ZREVRANGEBYSCORE": lambda: [key(), score(), score()] + opt("WITHSCORES"),
 "ZRANGEBYLEX": lambda: [key(), lexr(), lexr()] + (["LIMIT", smallint(), smallint()] if random.random() < 0.3 else []),
 "ZREVRANGEBYLEX": lambda: [key(), lexr(), lexr()],
 "ZREVRANGE": lambda: [key(), smallint(), smallint()] + opt("WITHSCORES"),
 "ZRANK": lambda: [key(), mem()], "ZREVRANK": lambda: [key(), mem()],
 "ZPOPMIN": lambda: [key()] + ([smallint()] if random.random() < 0.5 else []), "ZPOPMAX": lambda: [key()] + ([smallint()] if random.random() < 0.5 else []),
 "ZMPOP": lambda: (lambda ks: [str(len(ks))] + ks + [random.choice(["MIN", "MAX", "X"])] + (["COUNT", smallint()] if random.random() < 0.4 else []))(many(key, 1, 3)),
 "ZUNION": lambda: (lambda ks: [str(len(ks))] + ks + (["WEIGHTS"] + [score() for _ in ks] if random.random() < 0.3 else []) + (["AGGREGATE", random.choice(["SUM", "MIN", "MAX"])] if random.random() < 0.3 else []) + opt("WITHSCORES"))(many(key, 1, 3)),
 "ZINTER": lambda: (lambda ks: [str(len(ks))] + ks + opt("WITHSCORES"))(many(key, 1, 3)),
 "ZDIFF": lambda: (lambda ks: [str(len(ks))] + ks + opt("WITHSCORES"))(many(key, 1, 3)),
 "ZUNIONSTORE": lambda: (lambda ks: [key(), str(len(ks))] + ks + (["WEIGHTS"] + [score() for _ in ks] if random.random() < 0.3 else []) + (["AGGREGATE", random.choice(["SUM", "MIN", "MAX"])] if random.random() < 0.3 else []))(many(key, 1, 3)),
 "ZINTERSTORE": lambda: (lambda ks: [key(), str(len(ks))] + ks)(many(key, 1, 3)),
 "ZDIFFSTORE": lambda: (lambda ks: [key(), str(len(ks))] + ks)(many(key, 1, 3)),
 "ZINTERCARD": lambda: (lambda ks: [str(len(ks))] + ks + (["LIMIT", smallint()] if random.random() < 0.4 else []))(many(key, 1, 3)),
 "ZREMRANGEBYSCORE": lambda: [key(), score(), score()], "ZREMRANGEBYRANK": lambda: [key(), smallint(), smallint()],
 "ZREMRANGEBYLEX": lambda: [key(), lexr(), lexr()],
 # hll
 "PFADD": lambda: [key()] + many(mem, 0, 4), "PFCOUNT": lambda: many(key, 1, 2), "PFMERGE": lambda: [key()] + many(key, 0, 2),
 # geo
 "GEOADD": lambda: [key()] + opt("NX", "XX", "CH") + sum(([random.choice(["13.361389", "15.087269", "-180", "180.1", "0", "abc"]), random.choice(["38.115556", "37.502669", "85.05112878", "86", "0"]), mem()] for _ in range(random.randint(1, 2))), []),
 "GEODIST": lambda: [key(), mem(), mem()] + ([random.choice(["m", "km", "mi", "ft", "x"])] if random.random() < 0.5 else []),
 "GEOPOS": lambda: [key()] + many(mem), "GEOHASH": lambda: [key()] + many(mem),
 "GEOSEARCH": lambda: [key()] + random.choice([["FROMMEMBER", mem()], ["FROMLONLAT", "15", "37"]]) + random.choice([["BYRADIUS", random.choice(["100", "200", "0", "-1"]), "km"], ["BYBOX", "400", "400", "km"]]) + opt("ASC", "DESC", "WITHCOORD", "WITHDIST", "WITHHASH") + (["COUNT", smallint()] if random.random() < 0.3 else []),
 "SRANDMEMBER": lambda: [key(), random.choice(["100", "0", "-0", "abc", "9223372036854775807", "-9223372036854775808"])],
 "HRANDFIELD": lambda: [key()] + [random.choice(["100", "0", "abc", "-9223372036854775808"])] + opt("WITHVALUES"),
 "ZRANDMEMBER": lambda: [key()] + [random.choice(["100", "0", "abc", "-9223372036854775808"])] + opt("WITHSCORES"),
 "SPOP": lambda: [key()] + [random.choice(["100", "0", "-1", "abc"])],
 "SSCAN": lambda: [key(), random.choice(["0", "abc"])] + random.choice([[], ["COUNT", "1000"], ["MATCH", "*", "COUNT", "1000"], ["COUNT", "0"], ["MATCH", "a*", "COUNT", "1000"]]),
 "HSCAN": lambda: [key(), random.choice(["0", "abc"])] + random.choice([[], ["COUNT", "1000"], ["MATCH", "*1*", "COUNT", "1000"], ["COUNT", "-1"]]),
 "ZSCAN": lambda: [key(), random.choice(["0", "abc"])] + random.choice([[], ["COUNT", "1000"], ["MATCH", "?", "COUNT", "1000"], ["NOVALUES"]]),
 "GETEX": lambda: [key()] + random.choice([[], ["PERSIST"], ["EX", ttl()], ["PX", ttl()], ["EXAT", ttl()], ["FOO"], ["PERSIST", "EX", "1"]]),
 "SETEX": lambda: [key(), ttl(), mem()], "PSETEX": lambda: [key(), ttl(), mem()],
 "SET ": lambda: [key(), mem()] + random.choice([["EX", ttl()], ["PX", ttl()], ["NX", "XX"], ["EX", "10", "PX", "10"], ["KEEPTTL", "EX", "5"], ["GET", "NX"], ["EXAT", ttl()]]),
 "EXPIRETIME": lambda: [key()],  # not PTTL or PEXPIRETIME: milliseconds after a relative expiry differ by the servers' clocks
 "LINDEX ": lambda: [key(), num()], "LRANGE ": lambda: [key(), num(), num()],
 "HINCRBY ": lambda: [key(), mem(), num()],
 "ZADD ": lambda: [key()] + [random.choice(MEMBERS + ["NX", "XX", "GT", "LT", "CH", "INCR"]) for _ in range(random.randint(0, 6))],
 "ZRANGE ": lambda: [key()] + [random.choice(["0", "-1", "1", "BYSCORE", "BYLEX", "REV", "LIMIT", "WITHSCORES", "(1", "[a", "-", "+", "inf"]) for _ in range(random.randint(1, 7))],
 "SORT": lambda: [key()] + random.choice([[], ["ALPHA"], ["DESC"], ["LIMIT", "0", "2"], ["ALPHA", "DESC", "LIMIT", "1", "-1"], ["BY", "nosort"], ["STORE", key()], ["ALPHA", "STORE", key()]]),
 "PEXPIRE": lambda: [key(), random.choice(["100000", "-1", "0", "abc", "9223372036854775807", "9223372036854775"])] + opt("NX", "XX", "GT", "LT"),
 "EXPIREAT": lambda: [key(), random.choice(["4102444800", "1", "-1", "abc", "9223372036854775807"])] + opt("NX", "XX", "GT", "LT"),
 "PEXPIREAT": lambda: [key(), random.choice(["4102444800000", "1", "0", "abc"])] + opt("NX", "XX", "GT", "LT"),
 "TOUCH": lambda: many(key), "DBSIZE": lambda: [],
 "KEYS": lambda: [random.choice(["*", "k*", "{k}?", "[k]1", "*\\", "k[1-2]"])],
 "SCAN": lambda: ["0", "COUNT", "1000"] + random.choice([[], ["MATCH", "k*"], ["TYPE", random.choice(["string", "list", "set", "zset", "hash", "nosuch"])]]),
 "BITFIELD_RO": lambda: [key()] + sum((["GET", random.choice(["u8", "i8", "u1", "i64", "u63", "u64", "x"]), random.choice(["0", "#1", "7", "-1"])] for _ in range(random.randint(0, 2))), []),
 "GEORADIUS": lambda: [key(), "15", "37", random.choice(["200", "0", "-1"]), random.choice(["km", "m", "x"])] + opt("WITHDIST", "WITHCOORD", "ASC", "DESC") + random.choice([[], ["COUNT", smallint()], ["STORE", key()], ["STOREDIST", key()]]),
 "GEORADIUSBYMEMBER": lambda: [key(), mem(), random.choice(["200", "1000", "0"]), "km"] + opt("WITHDIST", "ASC") + random.choice([[], ["STORE", key()]]),
 "GEOSEARCHSTORE": lambda: [key(), key()] + random.choice([["FROMMEMBER", mem()], ["FROMLONLAT", "15", "37"]]) + ["BYRADIUS", random.choice(["200", "0"]), "km"] + opt("STOREDIST", "ASC"),
 "ZRANGESTORE ": lambda: [key(), key()] + random.choice([[score(), score(), "BYSCORE"], [lexr(), lexr(), "BYLEX"]]) + opt("REV") + (["LIMIT", smallint(), smallint()] if random.random() < 0.4 else []),
 # Past the 512 MB limit only with a value that cannot fit: a 512 MB string would be read back by --state.
 "SETRANGE ": lambda: random.choice([[key(), random.choice(["0", "3", "20"]), random.choice(["", "x", "abc"])], [key(), random.choice(["536870912", "536870911"]), random.choice(["", "abc"])]]),
 "SORT  ": lambda: [key()] + random.choice([["BY", "k*"], ["BY", "k*", "ALPHA"], ["GET", "k*"], ["GET", "#", "GET", "k*"], ["BY", "k*->a", "GET", "k*->b"], ["BY", "nosort", "GET", "k*"], ["BY", "k*", "STORE", key()]]) + opt("DESC"),
 "SORT_RO": lambda: [key()] + random.choice([[], ["ALPHA"], ["DESC"], ["LIMIT", "0", "2"]]),
}
# Replies whose order Redis does not define: compared as multisets.
UNORDERED = {"KEYS", "SMEMBERS", "HKEYS", "HVALS", "SINTER", "SUNION", "SDIFF", "SRANDMEMBER", "SPOP"}
RANDOM_PAIRS = {"HRANDFIELD", "ZRANDMEMBER"}
PAIRED = {"HGETALL"}
NO_CHAOS = {"SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER", "SPOP"}
THRESHOLDS = [("hash-max-listpack-entries", "4"), ("zset-max-listpack-entries", "4"), ("set-max-intset-entries", "4"),
              ("list-max-listpack-size", "4"), ("hash-max-listpack-value", "8"), ("zset-max-listpack-value", "8")]

def norm(cmd, r, args):
    if r[0] == b"~":
        return (b"~", tuple(sorted(r[1], key=repr)))  # a RESP3 set: no order
    if r[0] == b"%" and cmd in PAIRED:
        return (b"%", tuple(sorted(r[1], key=repr)))
    if r[0] != b"*" or r[1] is None:
        return r
    items = r[1]
    if cmd == "SCAN" and len(items) == 2 and items[1][0] == b"*":
        return (b"*", (items[0], tuple(sorted(items[1][1], key=repr))))
    if cmd in ("SSCAN", "HSCAN", "ZSCAN") and len(items) == 2 and items[1][0] == b"*":
        inner = items[1][1]
        return (b"*", (items[0], tuple(sorted(inner, key=repr)) if cmd == "SSCAN" else tuple(sorted(zip(inner[::2], inner[1::2]), key=repr))))
    if cmd in RANDOM_PAIRS:
        if not any(a.upper() in ("WITHVALUES", "WITHSCORES") for a in args) or (items and items[0][0] == b"*"):
            return (b"*", tuple(sorted(items, key=repr)))  # names alone, or RESP3's [name, value] pairs
        return (b"*", tuple(sorted(zip(items[::2], items[1::2]), key=repr)))
    if cmd in ("SORT", "SORT_RO") and "nosort" in args and "STORE" not in args:
        return (b"*", tuple(sorted(items, key=repr)))  # a set's own order
    if cmd in ("SORT", "SORT_RO") and "ALPHA" in args and "k*" in args:
        return (b"*", tuple(sorted(items, key=repr)))  # ties (missing weights) keep a set's own order
    if cmd in ("SORT", "SORT_RO") and "ALPHA" in args and "STORE" not in args:
        # strcoll stops at a NUL byte, so "" and "\0\xff" tie, and a set's or sorted set's ties come in its hash
        # table's order (Redis sorts those from their dict): each run of ties is compared as a set, whatever the type.
        runs = []
        for item in items:
            tie = item[1].split(b"\0")[0] if item[0] == b"$" and item[1] is not None else item
            if runs and runs[-1][0] == tie: runs[-1][1].append(item)
            else: runs.append((tie, [item]))
        return (b"*", tuple((tie, tuple(sorted(run, key=repr))) for tie, run in runs))
    if cmd in UNORDERED: return (b"*", tuple(sorted(items, key=repr)))
    if cmd in PAIRED: return (b"*", tuple(sorted(zip(items[::2], items[1::2]), key=repr)))
    return r

def state(s, f):
    out = []
    for k in KEYS:
        s.sendall(enc(["TYPE", k])); t = read(f)[1]
        reads = {b"string": ["GET", k], b"list": ["LRANGE", k, "0", "-1"], b"set": ["SMEMBERS", k],
                 b"zset": ["ZRANGE", k, "0", "-1", "WITHSCORES"], b"hash": ["HGETALL", k]}
        if t not in reads:
            out.append((k, t)); continue
        c = reads[t]
        s.sendall(enc(c)); r = read(f)
        s.sendall(enc(["OBJECT", "ENCODING", k])); e = read(f)[1]
        out.append((k, t, e, norm(c[0], r, c)))
    return out

LEX = {"ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT", "ZREMRANGEBYLEX"}

def lex_unspecified(args, redis):
    """A lex range over members of different scores: Redis leaves the result unspecified (its skip list walk depends
    on random levels), so such a command is not sent."""
    if args[0] not in LEX and not (args[0] in ("ZRANGE", "ZRANGESTORE") and "BYLEX" in args):
        return False
    s, f = redis
    source = args[2] if args[0] == "ZRANGESTORE" else args[1]
    s.sendall(enc(["ZRANGE", source, "0", "-1", "WITHSCORES"])); r = read(f)
    if r[0] != b"*" or not r[1]:
        return False
    # RESP2: member, score, member, score...; RESP3: [member, score] pairs.
    scores = [item[1][1] for item in r[1]] if r[1][0][0] == b"*" else r[1][1::2]
    return len(set(scores)) > 1

def own_layout(redis, k):
    """Whether a DUMP of the key may differ from Redis's and still hold the same value (see G's DUMP)."""
    s, f = redis
    s.sendall(enc(["OBJECT", "ENCODING", k]))
    return read(f)[1] in (b"hashtable", b"quicklist", b"intset")

def run(seed, n, pepper, redis, check_state, verbose, history_lines=8):
    random.seed(seed)
    servers = [pepper, redis]
    lowered = seed % 2 == 0
    for s, f in servers:
        s.sendall(enc(["FLUSHALL"])); read(f)
        for name, value in THRESHOLDS:
            s.sendall(enc(["CONFIG", "SET", name, value if lowered else {"4": "128", "8": "64"}[value]])); read(f)
    names = sorted(G)
    history, diffs = [], 0
    for i in range(n):
        name = random.choice(names)
        args = [name.strip()] + G[name]()
        if name not in NO_CHAOS and random.random() < 0.05 and len(args) > 1:
            args.pop()
        if len(args) > 1 and lex_unspecified(args, redis):
            continue
        history.append(args)
        if marker := next((a for a in args if a.startswith("@dump:")), None):
            s, f = redis
            s.sendall(enc(["DUMP", marker[len("@dump:"):]])); payload = read(f)[1]
            args = [(payload or b"") if a == marker else a for a in args]
        data = enc(args)
        for s, _ in servers: s.sendall(data)
        p, r = read(pepper[1]), read(redis[1])
        cmd = args[0]
        if cmd == "DUMP" and p != r and p[0] == r[0] == b"$" and p[1] and r[1] and own_layout(redis, args[1]):
            p = r
        if norm(cmd, p, args) != norm(cmd, r, args):
            diffs += 1
            print(f"seed {seed} step {i}: {args!r}\n  pepper {p!r}\n  redis  {r!r}")
        elif check_state and (a := state(*pepper)) != (b := state(*redis)):
            diffs += 1
            print(f"seed {seed}: state differs after step {i}: {args!r}")
            for x, y in zip(a, b):
                if x != y: print(f"  pepper {x!r}\n  redis  {y!r}")
        else:
            continue
        if verbose:
            keys = set(a for a in args[1:] if a in KEYS)
            for h in [h for h in history[:-1] if keys & set(h)][-history_lines:]: print("    before:", h)
        if diffs >= 5: break
        for s, f in servers: s.sendall(enc(["FLUSHALL"])); read(f)
    print(f"seed {seed}: {i + 1} commands, {diffs} differences", flush=True)
    return diffs

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pepper-port", type=int, required=True)
    ap.add_argument("--redis-port", type=int, required=True)
    ap.add_argument("--seeds", default="1-10", help="first-last (inclusive)")
    ap.add_argument("--commands", type=int, default=2000, help="commands per seed")
    ap.add_argument("--state", action="store_true", help="compare every key after every command (slower)")
    ap.add_argument("--verbose", action="store_true", help="print the earlier commands on a differing key")
    ap.add_argument("--resp3", action="store_true", help="HELLO 3 on both connections first")
    ap.add_argument("--no-clock", action="store_true",
                    help="leave out TTL and EXPIRETIME, whose seconds can differ when the servers' clocks straddle one (for a test)")
    a = ap.parse_args()
    if a.no_clock:
        for name in ("TTL", "EXPIRETIME"):
            G.pop(name, None)
    first, _, last = a.seeds.partition("-")
    pepper, redis = conn(a.pepper_port), conn(a.redis_port)
    if a.resp3:
        for s, f in (pepper, redis):
            s.sendall(enc(["HELLO", "3"])); read(f)
    total = sum(run(seed, a.commands, pepper, redis, a.state, a.verbose) for seed in range(int(first), int(last or first) + 1))
    sys.exit(1 if total else 0)

if __name__ == "__main__":
    main()
