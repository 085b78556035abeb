using System.Text;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>
/// Every write command, logged and replayed into a fresh node on the same directory, gives the same keys, values
/// and absolute expiries; relative times are logged as absolute ones, so a restart never extends a TTL.
/// </summary>
public sealed class AofReplayTests
{
    private const long T0 = 1_800_000_000_000;

    // Commands logged as they ran (or as the SET/DEL/PEXPIREAT/PERSIST/RENAME/MSET they amount to); never a relative time.
    private static readonly HashSet<string> LoggedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "SET", "DEL", "UNLINK", "PEXPIREAT", "PERSIST", "RENAME", "MSET", "GETSET", "APPEND", "SETRANGE", "FLUSHALL", "FLUSHDB",
        "HSET", "HMSET", "HDEL",
        "SETBIT", "BITFIELD", "PFADD", "PFCOUNT", "COPY",
        "SADD", "SREM",
        "ZADD", "ZREM", "ZREMRANGEBYSCORE", "ZREMRANGEBYRANK", "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX",
        "LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LSET", "LINSERT", "LREM", "LTRIM", "LMOVE",
    };

    [Fact]
    public async Task EveryWriteCommandReplaysToTheSameDataset()
    {
        var dir = TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        try
        {
            var sent = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            SortedDictionary<string, (string, long)> before;
            await using (var first = Node(dir, fsync: "everysec", clock: clock))
            {
                await using var redis = await first.ConnectAsync(o => o.AllowAdmin = true);
                var db = redis.GetDatabase();
                async Task Do(params object[] command)
                {
                    sent.Add((string)command[0]);
                    try
                    {
                        await Run(db, command);
                    }
                    catch (StackExchange.Redis.RedisServerException)
                    {
                        // Failing commands are part of the script: they must not be logged.
                    }
                }

                await Do("SET", "flushed", "x");
                await Do("FLUSHALL");
                await Do("SET", "flushed2", "x");
                await Do("FLUSHDB");

                await Do("SET", "s1", "v1");
                await Do("SET", "s2", "v2", "EX", "100");
                await Do("SET", "s3", "v3", "PX", "5000");
                await Do("SET", "s4", "v4", "EXAT", (T0 / 1000 + 200).ToString());
                await Do("SET", "s5", "v5", "PXAT", (T0 + 300_000).ToString());
                await Do("SET", "s2", "v2b", "KEEPTTL");
                await Do("SET", "s1", "lost", "NX");
                await Do("SET", "s6", "lost", "XX");
                await Do("SET", "s1", "v1b", "XX", "GET");
                await Do("SETNX", "n1", "a");
                await Do("SETNX", "n1", "b");
                await Do("SETEX", "e1", "100", "a");
                await Do("PSETEX", "e2", "100000", "b");
                await Do("GETSET", "s1", "v1c");
                await Do("GETDEL", "s3");
                await Do("GETDEL", "nosuch");
                await Do("GETEX", "s4", "PERSIST");
                await Do("GETEX", "s5", "EX", "50");
                await Do("GETEX", "s2", "PXAT", (T0 - 10).ToString());
                await Do("MSET", "m1", "a", "m2", "b");
                await Do("MSETNX", "m3", "c", "m4", "d");
                await Do("MSETNX", "m3", "x", "m5", "y");
                await Do("APPEND", "a1", "hello");
                await Do("APPEND", "a1", "world");
                await Do("INCR", "c1");
                await Do("INCRBY", "c1", "10");
                await Do("DECR", "c1");
                await Do("DECRBY", "c1", "3");
                await Do("INCR", "s1");
                await Do("INCRBYFLOAT", "f1", "1.5");
                await Do("INCRBYFLOAT", "f1", "0.1");
                await Do("SETRANGE", "r1", "5", "xyz");
                await Do("SETRANGE", "r1", "0", "ab");
                await Do("DEL", "m1", "nosuch");
                await Do("DEL", "nosuch");
                await Do("UNLINK", "m2");
                await Do("EXPIRE", "c1", "100");
                await Do("PEXPIRE", "f1", "200000");
                await Do("EXPIREAT", "a1", (T0 / 1000 + 400).ToString());
                await Do("PEXPIREAT", "r1", (T0 + 500_000).ToString());
                await Do("EXPIRE", "m3", "100", "NX");
                await Do("EXPIRE", "m3", "50", "GT");
                await Do("EXPIRE", "m3", "200", "GT");
                await Do("PERSIST", "m3");
                await Do("PERSIST", "m3");
                await Do("RENAME", "m4", "m6");
                await Do("RENAMENX", "m6", "m7");
                await Do("RENAMENX", "m7", "m3");
                await Do("SET", "gone", "v");
                await Do("EXPIRE", "gone", "-1");
                await Do("INCRBYFLOAT", "s1", "1");

                await Do("HSET", "h1", "a", "1", "b", "2");
                await Do("HSET", "h1", "a", "1b", "c", "3");
                await Do("HMSET", "h2", "x", "1", "y", "2");
                await Do("HSETNX", "h1", "a", "lost");
                await Do("HSETNX", "h1", "d", "4");
                await Do("HSETNX", "h3", "only", "1");
                await Do("HDEL", "h2", "x", "nosuch");
                await Do("HDEL", "h2", "nosuch");
                await Do("HDEL", "nosuch", "x");
                await Do("HINCRBY", "h1", "n", "5");
                await Do("HINCRBY", "h1", "n", "-2");
                await Do("HINCRBY", "h1", "a", "1");
                await Do("HINCRBYFLOAT", "h1", "f", "0.1");
                await Do("HINCRBYFLOAT", "h1", "f", "0.2");
                await Do("HINCRBYFLOAT", "h1", "a", "1");
                await Do("HSET", "h4", "gone", "1");
                await Do("HDEL", "h4", "gone");
                await Do("HSET", "h5", "f", new string('v', 100));
                await Do("PEXPIREAT", "h5", (T0 + 600_000).ToString());
                await Do("HSET", "s1", "f", "v");

                // Sorted sets: every write command, the INCR forms, pops, STORE results (one slot for the multi-key ones).
                await Do("ZADD", "z1", "1", "a", "2", "b", "0.1", "c", "-0", "d", "inf", "e");
                await Do("ZADD", "z1", "GT", "CH", "5", "a", "1", "b");
                await Do("ZADD", "z1", "INCR", "0.2", "c");
                await Do("ZADD", "z1", "XX", "INCR", "1", "missing");
                await Do("ZINCRBY", "z1", "1e300", "f");
                await Do("ZINCRBY", "z1", "-inf", "e");
                await Do("ZREM", "z1", "b", "nosuch");
                await Do("ZADD", "z2", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "0", "g", "0", "h");
                await Do("ZREMRANGEBYSCORE", "z2", "(1", "2");
                await Do("ZREMRANGEBYRANK", "z2", "-1", "-1");
                await Do("ZREMRANGEBYLEX", "z2", "[g", "[g");
                await Do("ZPOPMIN", "z2");
                await Do("ZPOPMAX", "z2", "2");
                await Do("ZMPOP", "2", "{z}none", "{z}a", "MAX", "COUNT", "1");
                await Do("ZADD", "{z}a", "1", "a", "2", "b", "3", "c");
                await Do("ZADD", "{z}b", "10", "b", "20", "c", "30", "d");
                await Do("ZMPOP", "2", "{z}none", "{z}a", "MIN", "COUNT", "1");
                await Do("ZUNIONSTORE", "{z}u", "2", "{z}a", "{z}b", "WEIGHTS", "0.1", "3");
                await Do("ZINTERSTORE", "{z}i", "2", "{z}a", "{z}b", "AGGREGATE", "MAX");
                await Do("ZDIFFSTORE", "{z}d", "2", "{z}b", "{z}a");
                await Do("ZRANGESTORE", "{z}r", "{z}b", "(10", "+inf", "BYSCORE");
                await Do("ZINTERSTORE", "{z}empty", "2", "{z}a", "{z}none");
                await Do("ZADD", "zb1", "1", "a", "2", "b", "3", "c", "4", "d");
                await Do("ZADD", "zb2", "1", "a", "2", "b");
                await Do("BZPOPMIN", "nosuch", "zb1", "0");
                await Do("BZPOPMAX", "zb1", "0");
                await Do("BZMPOP", "0", "1", "zb2", "MAX", "COUNT", "1");
                await Do("BZMPOP", "0.5", "1", "zb1", "MIN", "COUNT", "5");
                await Do("ZADD", "zbig", "1", new string('m', 100));
                for (var i = 0; i < 200; i++)
                {
                    await Do("ZADD", "zbig", (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture), "member" + i);
                }
                // Geo: GEOADD as the ZADD Redis rewrites it into, the STORE forms as DEL and the ZADDs of their result.
                await Do("GEOADD", "{g}a", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
                await Do("GEOADD", "{g}a", "NX", "CH", "13.4", "38.1", "Palermo", "2.35", "48.85", "Paris");
                await Do("GEOADD", "{g}a", "XX", "CH", "13.5", "38.2", "Palermo", "0", "0", "nosuch");
                await Do("GEOADD", "{g}none", "XX", "1", "1", "a");
                await Do("GEOADD", "{g}a", "200", "1", "bad");
                await Do("GEOSEARCHSTORE", "{g}d1", "{g}a", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km", "STOREDIST");
                await Do("GEOSEARCHSTORE", "{g}d2", "{g}a", "FROMMEMBER", "Paris", "BYBOX", "10", "10", "km");
                await Do("GEORADIUS", "{g}a", "15", "37", "300", "km", "STORE", "{g}d3");
                await Do("GEORADIUSBYMEMBER", "{g}a", "Catania", "300", "km", "STOREDIST", "{g}d4", "COUNT", "1");
                await Do("GEORADIUS", "{g}a", "15", "37", "300", "km", "WITHDIST");
                await Do("GEORADIUS", "{g}a", "0", "0", "1", "km", "STORE", "{g}d2");
                await Do("GEORADIUSBYMEMBER", "{g}a", "Paris", "1", "km");
                await Do("RENAME", "h2", "h6");

                // Bitmaps, HyperLogLogs, COPY: SETBIT, BITFIELD and PFADD as sent, BITOP and PFMERGE as their result,
                // PFCOUNT when it wrote the count into the value's header, COPY after a DEL of its destination.
                await Do("SETBIT", "b1", "100", "1");
                await Do("SETBIT", "b1", "3", "1");
                await Do("SETBIT", "b1", "3", "1");
                await Do("SETBIT", "h1", "1", "1");
                await Do("BITFIELD", "b2", "SET", "i8", "0", "-5", "INCRBY", "u4", "#3", "7", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "9");
                await Do("BITFIELD", "b2", "GET", "i8", "0");
                await Do("BITFIELD_RO", "b2", "GET", "i8", "0");
                await Do("BITOP", "AND", "b3", "b1", "b2");
                await Do("BITOP", "NOT", "b4", "b1");
                await Do("BITOP", "OR", "b4", "nosuch");
                await Do("PFADD", "p1", "a", "b", "c");
                await Do("PFADD", "p1", "a");
                await Do("PFADD", "p2");
                await Do("PFCOUNT", "p1");
                await Do("PFCOUNT", "p1");
                await Do(["PFADD", "p3", .. Enumerable.Range(0, 3000).Select(i => (object)("e" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))]);
                await Do("PFCOUNT", "p3", "p1");
                await Do("PFMERGE", "p4", "p1", "p3");
                await Do("PFMERGE", "p1", "s1");
                await Do("COPY", "b1", "c1");
                await Do("COPY", "h1", "c2");
                await Do("COPY", "h5", "c3");
                await Do("COPY", "b2", "c1");
                await Do("COPY", "b2", "c1", "REPLACE");
                // One database: MOVE and SWAPDB answer without changing anything, so they log nothing.
                await Do("MOVE", "b1", "0");
                await Do("MOVE", "b1", "1");
                await Do("SWAPDB", "0", "0");
                await Do("SADD", "st1", "3", "1", "2");
                await Do("SADD", "st1", "2", "x");
                await Do("SADD", "st2", "1", "2", "3", "4", "5", "6", "7", "8");
                await Do("SREM", "st2", "1", "nosuch");
                await Do("SREM", "nosuch", "1");
                await Do("SPOP", "st2");
                await Do("SPOP", "st2", "2");
                await Do("SPOP", "st2", "0");
                await Do("SADD", "st3", "a", "b");
                await Do("SPOP", "st3", "10");
                await Do("SADD", "st4", "a", "b", "c");
                await Do("SMOVE", "st4", "st5", "a");
                await Do("SMOVE", "st4", "st5", "nosuch");
                await Do("SMOVE", "st4", "st1", "b");
                await Do("SMOVE", "s1", "st1", "b");
                await Do("SINTERSTORE", "st6", "st1", "st5");
                await Do("SINTERSTORE", "st7", "st1", "st4");
                await Do("SINTERSTORE", "st7", "st1", "nosuch");
                await Do("SUNIONSTORE", "st8", "st1", "st4", "st5");
                await Do("SUNIONSTORE", "s4", "st2");
                await Do("SDIFFSTORE", "st9", "st1", "st4");
                await Do("SDIFFSTORE", "st10", "nosuch", "st1");
                await Do(["SADD", "st11", .. Enumerable.Range(0, 200).Select(i => (object)i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
                await Do("SPOP", "st11", "190");
                await Do("PEXPIREAT", "st8", (T0 + 700_000).ToString());
                await Do("RPUSH", "l1", "a", "b", "c", "d", "e", "f");
                await Do("LPUSH", "l1", "z", "y");
                await Do("LPUSHX", "l1", "x");
                await Do("RPUSHX", "l1", "g");
                await Do("LPUSHX", "nosuch", "x");
                await Do("RPUSHX", "nosuch", "x");
                await Do("LPOP", "l1");
                await Do("RPOP", "l1", "2");
                await Do("LSET", "l1", "1", "B");
                await Do("LSET", "nosuch", "1", "B");
                await Do("LINSERT", "l1", "BEFORE", "c", "bc");
                await Do("LINSERT", "l1", "AFTER", "nosuch", "x");
                await Do("LREM", "l1", "1", "d");
                await Do("LTRIM", "l1", "0", "-2");
                await Do("RPUSH", "l2", "1", "2", "3", "4");
                await Do("LMOVE", "l2", "l3", "LEFT", "RIGHT");
                await Do("RPOPLPUSH", "l2", "l3");
                await Do("LMPOP", "2", "nosuch", "l2", "LEFT", "COUNT", "5");
                await Do("BLPOP", "nosuch", "l3", "0");
                await Do("RPUSH", "l3", "5", "6", "7", "8", "9");
                await Do("BRPOP", "l3", "0");
                await Do("BLMOVE", "l3", "l4", "LEFT", "LEFT", "0");
                await Do("BRPOPLPUSH", "l3", "l4", "0");
                await Do("BLMPOP", "0", "1", "l3", "RIGHT", "COUNT", "2");
                await Do("RPUSH", "l5", new string('e', 100), "\0\r\n");
                await Do("PEXPIREAT", "l5", (T0 + 600_000).ToString());
                await Do("LPUSH", "s1", "x");

                // SORT ... STORE: logged as DEL and the RPUSHes of its result, so replay need not sort again.
                await Do("RPUSH", "so1", "3", "1", "2", "10");
                await Do("MSET", "sow_1", "9", "sow_2", "1", "sow_3", "5", "sow_10", "7");
                await Do("SET", "so2", "x");
                await Do("PEXPIREAT", "so2", (T0 + 500_000).ToString());
                await Do("SORT", "so1", "STORE", "so2");
                await Do("SORT", "so1", "BY", "sow_*", "DESC", "GET", "#", "GET", "sow_*", "STORE", "so3");
                await Do("SADD", "so4", "b", "a", "c");
                await Do("SORT", "so4", "BY", "nosort", "STORE", "so5");
                await Do("SORT", "so4", "LIMIT", "0", "1", "ALPHA", "STORE", "so4");
                await Do("SET", "so6", "x");
                await Do("SORT", "nosuch", "STORE", "so6");
                await Do("SORT", "so1", "STORE", "so1");
                await Do("SORT_RO", "so1");

                // A client served after blocking: what is logged is the pop that happened.
                await using (var blocked = await Infrastructure.RespFrameClient.ConnectAsync(first.RespEndPoint))
                {
                    await blocked.SendAsync(["BLMOVE", "q1", "q2", "RIGHT", "LEFT", "0"]);
                    var deadline = DateTime.UtcNow.AddSeconds(10);
                    while (Infrastructure.TestCluster.Server(first).Blocking.BlockedCount == 0)
                    {
                        Assert.True(DateTime.UtcNow < deadline, "the client never blocked");
                        await Task.Delay(5, TestContext.Current.CancellationToken);
                    }

                    await Do("RPUSH", "q1", "a", "b");
                    Assert.Equal("$1\r\nb\r\n", Encoding.ASCII.GetString(await blocked.ReadReplyAsync()));
                }

                // Keys that expire while the node runs: the log does not record their expiry, so the records of the
                // commands that meet them must not depend on them being gone (replay meets them still present).
                foreach (var key in new[] { "vincr", "vapp", "vnx", "vnx2", "vm", "vkeep", "vf", "vsr", "vren", "vexp", "vbit", "vbf", "vpf", "vcopy", "vop", "vmerge" })
                {
                    await Do("SET", key, "1", "PX", "1000");
                }

                // Hashes that expire while the node runs, then written again: replay meets the old hash still there.
                foreach (var key in new[] { "vh1", "vh2", "vh3", "vh4", "vh5", "vh6" })
                {
                    await Do("HSET", key, "old", "1", "f", "7");
                    await Do("PEXPIRE", key, "1000");
                }

                // Sets that expire while the node runs, then met again: replay meets the old set still there.
                foreach (var key in new[] { "vs1", "vs2", "vs3", "vs4" })
                {
                    await Do("SADD", key, "old", "1");
                    await Do("PEXPIRE", key, "1000");
                }

                await Do("SADD", "vssrc", "m", "n");
                // Sorted sets and STORE sources that expire while the node runs.
                foreach (var key in new[] { "vz1", "vz2", "vz3", "{z}vsrc", "{z}vdst", "vgeo", "{g}vdst" })
                {
                    await Do("ZADD", key, "1", "old", "7", "f");
                    await Do("PEXPIRE", key, "1000");
                }
                // Lists too: a push or a move that creates its list meets the old one at replay.
                foreach (var key in new[] { "vl1", "vl2", "vl3" })
                {
                    await Do("RPUSH", key, "old");
                    await Do("PEXPIRE", key, "1000");
                }

                await Do("RPUSH", "vlsrc", "moved");
                await Do("RPUSH", "vrest5", "old");
                await Do("PEXPIRE", "vrest5", "1000");

                await Do("SET", "vlive", "abc", "PX", "100000");
                clock.Advance(TimeSpan.FromMilliseconds(2000));
                await Do("INCR", "vincr");
                await Do("APPEND", "vapp", "x");
                await Do("SETNX", "vnx", "new");
                await Do("SET", "vnx2", "new", "NX");
                await Do("MSETNX", "vm", "new");
                await Do("SET", "vkeep", "new", "KEEPTTL");
                await Do("INCRBYFLOAT", "vf", "2");
                await Do("SETRANGE", "vsr", "2", "zz");
                await Do("RENAMENX", "n1", "vren");
                await Do("EXPIRE", "vexp", "100", "NX");
                await Do("APPEND", "vlive", "def");
                await Do("INCR", "vlive2");
                await Do("HSET", "vh1", "f", "new");
                await Do("HMSET", "vh2", "f", "new");
                await Do("HSETNX", "vh3", "f", "new");
                await Do("HINCRBY", "vh4", "f", "1");
                await Do("HINCRBYFLOAT", "vh5", "f", "1.5");
                await Do("HDEL", "vh6", "old");
                await Do("SETBIT", "vbit", "20", "1");
                await Do("BITFIELD", "vbf", "INCRBY", "u8", "0", "1");
                await Do("PFADD", "vpf", "x");
                await Do("COPY", "b1", "vcopy");
                await Do("BITOP", "OR", "b5", "vop", "b1");
                await Do("PFMERGE", "p5", "vmerge", "p1");
                await Do("SADD", "vs1", "new");
                await Do("SMOVE", "vssrc", "vs2", "m");
                await Do("SUNIONSTORE", "vs4", "vssrc", "vs3");
                await Do("ZADD", "vz1", "2", "f");
                await Do("ZINCRBY", "vz2", "1", "f");
                await Do("ZADD", "vz3", "GT", "1", "f");
                await Do("ZUNIONSTORE", "{z}vdst", "2", "{z}vsrc", "{z}b");
                await Do("GEOADD", "vgeo", "1", "1", "f");
                await Do("GEOSEARCHSTORE", "{g}vdst", "{g}a", "FROMMEMBER", "Catania", "BYRADIUS", "1", "m");
                await Do("LPUSH", "vl1", "new");
                await Do("LMOVE", "vlsrc", "vl2", "LEFT", "LEFT");
                await Do("LPUSHX", "vl3", "lost");

                // RESTORE: a hash, a string with a relative TTL (logged absolute), a skip list with ABSTTL, a key
                // deleted by a past ABSTTL with REPLACE, and a key that had expired at run time but not at replay.
                var hashPayload = (byte[])(await db.ExecuteAsync("DUMP", "h1"))!;
                await Do("RESTORE", "vrest1", "0", hashPayload);
                await Do("RESTORE", "vrest2", "100000", (byte[])(await db.ExecuteAsync("DUMP", "s1"))!);
                await Do("RESTORE", "vrest3", (T0 + 500_000).ToString(), (byte[])(await db.ExecuteAsync("DUMP", "zbig"))!, "ABSTTL");
                await Do("RESTORE", "vrest4", "0", hashPayload);
                await Do("RESTORE", "vrest4", "1", hashPayload, "ABSTTL", "REPLACE");
                await Do("RESTORE", "vrest5", "0", hashPayload);

                // MIGRATE: the key that left is logged as DEL; the one COPY sent stays, and nothing is logged for it.
                await using var target = await PepperCache.Testing.RedisServer.StartAsync();
                var targetPort = target.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Do("SET", "vmig1", "x");
                await Do("SET", "vmig2", "y");
                await Do("MIGRATE", "127.0.0.1", targetPort, "", "0", "5000", "KEYS", "vmig1");
                await Do("MIGRATE", "127.0.0.1", targetPort, "vmig2", "0", "5000", "COPY");

                before = Dump(first.Store);
            }

            // PEPPER.IMPORT needs a slot this node does not serve: RebalanceIntegrationTests restarts a node that received keys.
            var writeCommands = CommandTable.CreateDefault().All.Where(c => c.IsWrite && c.Name != "pepper.import").Select(c => c.Name).ToList();
            Assert.All(writeCommands, name => Assert.Contains(name, sent));
            Assert.Equal("1", before["vincr"].Item1);
            Assert.Equal(("new", 0L), before["vkeep"]);
            Assert.Equal(("hash{f=new}", 0L), before["vh1"]);
            Assert.Equal(("hash{f=1}", 0L), before["vh4"]);
            Assert.Equal(("hash{f=1.5}", 0L), before["vh5"]);
            Assert.False(before.ContainsKey("vh6"));
            Assert.Equal(("set:hashtable{new}", 0L), before["vs1"]);
            Assert.Equal(("set:hashtable{m}", 0L), before["vs2"]);
            Assert.Equal(("set:hashtable{n}", 0L), before["vs4"]);
            Assert.Equal(10, before["st11"].Item1.Split(',').Length);
            Assert.Equal(("listpack{f=2}", 0L), before["vz1"]);
            Assert.Equal(("listpack{f=1}", 0L), before["vz2"]);
            Assert.Equal(("listpack{f=1}", 0L), before["vz3"]);
            Assert.Equal(("listpack{b=10, c=20, d=30}", 0L), before["{z}vdst"]);
            Assert.Equal(("listpack{f=3377822707026402}", 0L), before["vgeo"]);
            Assert.Equal(("listpack{Catania=3479447370796909}", 0L), before["{g}vdst"]);
            Assert.False(before.ContainsKey("{g}d2"));
            Assert.Equal(("skiplist", 0L), (before["zbig"].Item1[..8], before["zbig"].Item2));
            Assert.Equal(("hash{a=1b, b=2, c=3, d=4, f=0.3, n=3}", 0L), before["h1"]);
            Assert.Equal("\0\0\x08", before["vbit"].Item1);
            Assert.Equal("\x01", before["vbf"].Item1);
            Assert.Equal(before["b1"], before["vcopy"]);
            Assert.Equal(before["b2"], before["c1"]);
            Assert.Equal(("list[y, B, a, b, bc, c]", 0L), before["l1"]);
            Assert.Equal(("list[new]", 0L), before["vl1"]);
            Assert.Equal(("list[moved]", 0L), before["vl2"]);
            Assert.False(before.ContainsKey("vl3"));
            Assert.Equal(before["h1"], before["vrest1"]);
            Assert.Equal((before["s1"].Item1, T0 + 2000 + 100_000), before["vrest2"]);
            Assert.Equal((before["zbig"].Item1, T0 + 500_000), before["vrest3"]);
            Assert.False(before.ContainsKey("vrest4"));
            Assert.Equal(before["h1"], before["vrest5"]);
            Assert.False(before.ContainsKey("vmig1"));
            Assert.Equal(("y", 0L), before["vmig2"]);
            Assert.Equal(("list[a]", 0L), before["q1"]);
            Assert.Equal(("list[b]", 0L), before["q2"]);

            var names = await RecordNamesAsync(Path.Combine(dir, AofSettings.FileName));
            Assert.All(names, name => Assert.Contains(name, LoggedNames));

            await using var second = Node(dir, clock: clock);
            _ = second.RespEndPoint;
            Assert.Equal(before, Dump(second.Store));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task TtlsSurviveARestartWithoutBeingExtended()
    {
        var dir = TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        try
        {
            await using (var first = Node(dir, fsync: "everysec", clock: clock))
            {
                await using var redis = await first.ConnectAsync();
                var db = redis.GetDatabase();
                await Run(db, "SET", "ttl:ex", "v", "EX", "100");
                await Run(db, "SET", "ttl:expire", "v");
                await Run(db, "EXPIRE", "ttl:expire", "200");
                await Run(db, "SETEX", "ttl:short", "30", "v");
            }

            // The node was down for a minute: the TTLs count that minute.
            clock.Advance(TimeSpan.FromSeconds(60));
            await using var second = Node(dir, clock: clock);
            await using var again = await second.ConnectAsync();
            var db2 = again.GetDatabase();
            Assert.Equal(40_000, (long)await Run(db2, "PTTL", "ttl:ex"));
            Assert.Equal(140_000, (long)await Run(db2, "PTTL", "ttl:expire"));
            Assert.Equal(-2, (long)await Run(db2, "PTTL", "ttl:short"));
            Assert.Equal(2, (long)await Run(db2, "DBSIZE"));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    private static async Task<List<string>> RecordNamesAsync(string path)
    {
        var names = new List<string>();
        await using var file = File.OpenRead(path);
        using var request = new RespRequest();
        var result = await AofLoader.ReadAsync(file, request, parsed =>
        {
            names.Add(Encoding.ASCII.GetString(parsed.Name));
            return null;
        });
        Assert.False(result.IsCorrupt);
        return names;
    }
}
