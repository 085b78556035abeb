using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Persistence;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>Rewrite while clients write, and a disk that refuses writes for a while.</summary>
public sealed class AofRewriteAndErrorTests
{
    [Fact]
    public async Task ARewriteUnderConcurrentWritesShrinksTheFileAndLosesNothing()
    {
        var dir = TempDirectory();
        try
        {
            SortedDictionary<string, (string, long)> before;
            long sizeBefore;
            long sizeAfter;
            await using (var node = Node(dir, fsync: "everysec"))
            {
                await using var redis = await node.ConnectAsync(o => o.AllowAdmin = true);
                var db = redis.GetDatabase();
                // Each key written three times: the rewrite keeps one SET per key.
                for (var round = 0; round < 3; round++)
                {
                    var batch = new List<Task>();
                    for (var i = 0; i < 5000; i++)
                    {
                        batch.Add(db.StringSetAsync($"rw:{i}", $"value-{round}-{i}"));
                    }

                    await Task.WhenAll(batch);
                }

                sizeBefore = await InfoFieldAsync(db, "aof_current_size");
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                var writesDone = 0;
                var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
                {
                    // APPEND and INCR are not idempotent: a record applied twice (snapshot plus carried-over tail)
                    // or lost at the swap would show in the comparison.
                    for (var n = 0; n < 400 && !stop.IsCancellationRequested; n++)
                    {
                        await db.StringAppendAsync($"rw:append:{w}", "x");
                        await db.StringIncrementAsync($"rw:counter:{w}");
                        await db.StringSetAsync($"rw:{(w * 400) + n}", $"late-{n}", TimeSpan.FromSeconds(1000));
                        // Hashes change in place: the snapshot must copy them at its instant (HINCRBY is not idempotent).
                        await db.HashIncrementAsync($"rw:hash:{w}", $"f{n % 100}");
                        Interlocked.Increment(ref writesDone);
                    }
                })).ToArray();

                for (var rewrite = 0; rewrite < 2; rewrite++)
                {
                    while (Volatile.Read(ref writesDone) < 300 * (rewrite + 1) && !writers.All(t => t.IsCompleted))
                    {
                        await Task.Delay(5, TestContext.Current.CancellationToken);
                    }

                    Assert.Equal("Background append only file rewriting started", (string?)await db.ExecuteAsync("BGREWRITEAOF"));
                    await WaitForRewriteAsync(db, rewrite + 1);
                }

                await Task.WhenAll(writers);
                sizeAfter = await InfoFieldAsync(db, "aof_base_size");
                Assert.Equal("400", (string?)await db.StringGetAsync("rw:counter:3"));
                before = Dump(node.Store);
            }

            Assert.True(sizeAfter < sizeBefore, $"rewritten {sizeAfter} bytes, was {sizeBefore}");
            Assert.Empty(Directory.GetFiles(dir, AofSettings.TempPrefix + "*"));
            await using var restarted = Node(dir);
            _ = restarted.RespEndPoint;
            Assert.Equal(before, Dump(restarted.Store));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task ARewriteWritesHashesAsHsetChunksWithTheirExpiry()
    {
        var dir = TempDirectory();
        try
        {
            SortedDictionary<string, (string, long)> before;
            await using (var node = Node(dir, fsync: "everysec"))
            {
                await using var redis = await node.ConnectAsync(o => o.AllowAdmin = true);
                var db = redis.GetDatabase();
                for (var i = 0; i < 200; i++)
                {
                    await db.HashSetAsync("rwh:big", $"field-{i}", $"value-{i}");
                }

                await db.HashSetAsync("rwh:small", [new HashEntry("b", "2"), new HashEntry("a", "1"), new HashEntry("\u0001bin", "\r\n")]);
                await db.HashSetAsync("rwh:wide", "f", new string('x', 100));
                await db.HashSetAsync("rwh:gone", "f", "v");
                await db.HashDeleteAsync("rwh:gone", "f");
                var at = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
                await db.ExecuteAsync("PEXPIREAT", "rwh:big", at.ToString(CultureInfo.InvariantCulture));
                Assert.Equal("Background append only file rewriting started", (string?)await db.ExecuteAsync("BGREWRITEAOF"));
                await WaitForRewriteAsync(db, 1);
                before = Dump(node.Store);
                Assert.Equal(at, before["rwh:big"].Item2);
            }

            var text = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Path.Combine(dir, AofSettings.FileName), TestContext.Current.CancellationToken));
            // 200 fields: 64 + 64 + 64 + 8, each command *130 (HSET, key, 64 pairs) but the last.
            Assert.Equal(3, text.Split("*130\r\n$4\r\nHSET\r\n$7\r\nrwh:big\r\n").Length - 1);
            Assert.Contains("*18\r\n$4\r\nHSET\r\n$7\r\nrwh:big\r\n", text, StringComparison.Ordinal);
            Assert.Contains("$9\r\nPEXPIREAT\r\n$7\r\nrwh:big\r\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("rwh:gone", text, StringComparison.Ordinal);

            await using var restarted = Node(dir);
            _ = restarted.RespEndPoint;
            Assert.Equal(before, Dump(restarted.Store));
            await using var again = await restarted.ConnectAsync();
            var db2 = again.GetDatabase();
            Assert.Equal("listpack", (string?)await db2.ExecuteAsync("OBJECT", "ENCODING", "rwh:small"));
            Assert.Equal("hashtable", (string?)await db2.ExecuteAsync("OBJECT", "ENCODING", "rwh:wide"));
            Assert.Equal(["b", "a", "\u0001bin"], (await db2.HashKeysAsync("rwh:small")).Select(v => (string)v!));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task TheFileIsRewrittenAutomaticallyOnceItHasGrownPastThePercentage()
    {
        var dir = TempDirectory();
        try
        {
            await using var node = Node(dir, fsync: "everysec");
            await using var redis = await node.ConnectAsync(o => o.AllowAdmin = true);
            var db = redis.GetDatabase();
            await db.ExecuteAsync("CONFIG", "SET", "auto-aof-rewrite-min-size", "4096");
            await db.ExecuteAsync("CONFIG", "SET", "auto-aof-rewrite-percentage", "100");
            Assert.Equal("4096", (string?)(await db.ExecuteAsync("CONFIG", "GET", "auto-aof-rewrite-min-size"))[1]);

            // One key overwritten 200 times: well past 4 KB and twice the base, compacting to one record.
            for (var i = 0; i < 200; i++)
            {
                await db.StringSetAsync("auto:key", $"value-{i:D4}");
            }

            await Eventually.UntilAsync(
                async () => await InfoFieldAsync(db, "aof_rewrites") >= 1 && await InfoFieldAsync(db, "aof_rewrite_in_progress") == 0,
                TimeSpan.FromSeconds(20), "an automatic rewrite has run");

            Assert.True(await InfoFieldAsync(db, "aof_base_size") < 4096);
            Assert.Equal("value-0199", (string?)await db.StringGetAsync("auto:key"));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task WhileTheDiskRefusesWritesTheyGetMisconfReadsWorkAndItRecovers()
    {
        var dir = TempDirectory();
        var storage = new FaultyAofStorage();
        try
        {
            await using (var node = Node(dir, fsync: "everysec", services: s => s.AddSingleton<AofStorage>(storage)))
            {
                await using var raw = await node.ConnectRawAsync();
                await raw.AssertReplyAsync("SET before 1\r\n", "+OK\r\n");
                storage.Fail = true;
                // Applied, but the write of its record fails: the reply waits for the retry that succeeds (a reply
                // leaves only once its record is in the file), so an acknowledged write is never only in memory.
                await raw.SendAsync("SET buffered 2\r\n");
                await using var redis = await node.ConnectAsync(o => o.AllowAdmin = true);
                var db = redis.GetDatabase();
                await WaitForInfoAsync(db, "aof_last_write_status:err");

                await using var other = await node.ConnectRawAsync();
                await other.AssertReplyAsync("SET refused 3\r\n", "-MISCONF Errors writing to the AOF file: No space left on device\r\n");
                await other.AssertReplyAsync("GET before\r\n", "$1\r\n1\r\n");
                Assert.Equal(0, raw.Available);

                storage.Fail = false;
                Assert.Equal("+OK\r\n", await raw.ReadExactlyAsync(5));
                await WaitForInfoAsync(db, "aof_last_write_status:ok");
                await raw.AssertReplyAsync("SET after 4\r\n", "+OK\r\n");
            }

            await using var restarted = Node(dir);
            await using var again = await restarted.ConnectAsync();
            var db2 = again.GetDatabase();
            Assert.Equal("1", (string?)await db2.StringGetAsync("before"));
            Assert.Equal("2", (string?)await db2.StringGetAsync("buffered"));
            Assert.Null((string?)await db2.StringGetAsync("refused"));
            Assert.Equal("4", (string?)await db2.StringGetAsync("after"));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    private static async Task<long> InfoFieldAsync(IDatabase db, string field)
    {
        var info = (string)(await db.ExecuteAsync("INFO", "persistence"))!;
        var line = info.Split("\r\n").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task WaitForRewriteAsync(IDatabase db, long rewrites)
    {
        await Eventually.UntilAsync(async () => await InfoFieldAsync(db, "aof_rewrites") >= rewrites, TimeSpan.FromSeconds(20), $"{rewrites} rewrites have run");
        Assert.Equal(0, await InfoFieldAsync(db, "aof_rewrite_in_progress"));
    }

    private static Task<string> WaitForInfoAsync(IDatabase db, string line) =>
        Eventually.UntilAsync(
            async () => (string)(await db.ExecuteAsync("INFO", "persistence"))!, info => info.Contains(line, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), $"INFO persistence shows {line}", interval: TimeSpan.FromMilliseconds(50));

    /// <summary>A disk that fills up on demand: a write then stores half its bytes and fails with ENOSPC.</summary>
    private sealed class FaultyAofStorage : AofStorage
    {
        public volatile bool Fail;

        public override Stream OpenAppend(string path) => new FaultyStream(base.OpenAppend(path), this);

        public override void Sync(Stream stream)
        {
            ThrowIfFull();
            base.Sync(stream is FaultyStream faulty ? faulty.Inner : stream);
        }

        public void ThrowIfFull()
        {
            if (Fail)
            {
                throw new IOException("No space left on device", 28);
            }
        }
    }

    private sealed class FaultyStream(Stream inner, FaultyAofStorage storage) : Stream
    {
        public Stream Inner { get; } = inner;

        public override bool CanRead => Inner.CanRead;

        public override bool CanSeek => Inner.CanSeek;

        public override bool CanWrite => Inner.CanWrite;

        public override long Length => Inner.Length;

        public override long Position { get => Inner.Position; set => Inner.Position = value; }

        public override void Flush() => Inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => Inner.Seek(offset, origin);

        public override void SetLength(long value) => Inner.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (storage.Fail)
            {
                // A torn write: part of the data lands before the error, as on a real full disk.
                Inner.Write(buffer[..(buffer.Length / 2)]);
                storage.ThrowIfFull();
            }

            Inner.Write(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
