using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests;

/// <summary>
/// Atomicity under real concurrency: many separate connections (each its own socket and server-side session)
/// hammering the same keys. Every loop is bounded in count, and every wait in time.
/// </summary>
public sealed class StringConcurrencyIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>, IAsyncLifetime
{
    private const int Clients = 50;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly List<ConnectionMultiplexer> _connections = [];

    public async ValueTask InitializeAsync()
    {
        var connecting = Enumerable.Range(0, Clients).Select(_ => node.App.ConnectAsync());
        _connections.AddRange(await Task.WhenAll(connecting));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task FiftyClientsIncrementingOneKeyTenThousandTimesEachEndAtExactlyHalfAMillion()
    {
        const string Key = "conc:incr";
        const int PerClient = 10_000;
        const int Batch = 500;

        // Each client pipelines its INCRs in batches (all in flight at once would only queue in the client).
        var workers = _connections.Select(connection => Task.Run(async () =>
        {
            var db = connection.GetDatabase();
            for (var sent = 0; sent < PerClient; sent += Batch)
            {
                var batch = new Task<long>[Batch];
                for (var i = 0; i < Batch; i++)
                {
                    batch[i] = db.StringIncrementAsync(Key);
                }

                await Task.WhenAll(batch);
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(workers).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(Clients * PerClient, (long)await _connections[0].GetDatabase().StringGetAsync(Key));
    }

    [Fact]
    public async Task SetNxRacedByFiftyClientsHasExactlyOneWinnerEveryRound()
    {
        const int Rounds = 20;
        for (var round = 0; round < Rounds; round++)
        {
            var key = $"conc:nx:{round}";
            using var start = new ManualResetEventSlim();
            var racers = _connections.Select((connection, id) => Task.Run(async () =>
            {
                start.Wait(TestContext.Current.CancellationToken);
                return await connection.GetDatabase().StringSetAsync(key, id, when: When.NotExists);
            }, TestContext.Current.CancellationToken)).ToArray();
            start.Set();
            var won = await Task.WhenAll(racers).WaitAsync(Deadline, TestContext.Current.CancellationToken);

            var winners = Enumerable.Range(0, Clients).Where(i => won[i]).ToList();
            Assert.Single(winners);
            Assert.Equal(winners[0], (int)await _connections[0].GetDatabase().StringGetAsync(key));
        }
    }

    [Fact]
    public async Task ConcurrentMGetNeverSeesHalfOfAnMSet()
    {
        const int Writes = 2_000;
        const int MaxReads = 20_000;
        RedisKey[] keys = [.. Enumerable.Range(0, 16).Select(i => (RedisKey)$"conc:mset:{{{i}}}")];
        await _connections[0].GetDatabase().StringSetAsync([.. keys.Select(k => new KeyValuePair<RedisKey, RedisValue>(k, 0))]);
        using var writerDone = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            var db = _connections[1].GetDatabase();
            for (var generation = 1; generation <= Writes; generation++)
            {
                await db.StringSetAsync([.. keys.Select(k => new KeyValuePair<RedisKey, RedisValue>(k, generation))]);
            }

            await writerDone.CancelAsync();
        }, TestContext.Current.CancellationToken);
        var readers = Enumerable.Range(2, 4).Select(c => Task.Run(async () =>
        {
            var db = _connections[c].GetDatabase();
            var torn = 0;
            var reads = 0;
            for (; reads < MaxReads && !writerDone.IsCancellationRequested; reads++)
            {
                var values = await db.StringGetAsync(keys);
                if (values.Any(v => v != values[0]))
                {
                    torn++;
                }
            }

            return (torn, reads);
        }, TestContext.Current.CancellationToken)).ToArray();

        await writer.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var results = await Task.WhenAll(readers).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.All(results, r => Assert.Equal(0, r.torn));
        Assert.True(results.Sum(r => r.reads) > 0);
        Assert.Equal(Writes, (int)await _connections[0].GetDatabase().StringGetAsync(keys[^1]));
    }

    [Fact]
    public async Task ScanDuringConcurrentWritesReturnsEveryKeyThatStayed()
    {
        const int Stable = 3_000;
        const int MaxChurn = 200_000;
        const int MaxScanCalls = 100_000;
        var db = _connections[0].GetDatabase();
        for (var chunk = 0; chunk < Stable; chunk += 500)
        {
            await db.StringSetAsync([.. Enumerable.Range(chunk, 500).Select(i => new KeyValuePair<RedisKey, RedisValue>($"conc:scan:stable:{i}", i))]);
        }

        using var stop = new CancellationTokenSource();
        // Adds keys (growing the tables under the scan) and deletes every other one (freeing slots behind it).
        var churn = Task.Run(async () =>
        {
            var writer = _connections[1].GetDatabase();
            for (var i = 0; i < MaxChurn && !stop.IsCancellationRequested; i++)
            {
                await writer.StringSetAsync($"conc:scan:churn:{i}", i);
                if (i % 2 == 1)
                {
                    await writer.KeyDeleteAsync($"conc:scan:churn:{i - 1}");
                }
            }
        }, TestContext.Current.CancellationToken);

        var seen = new HashSet<string>();
        var cursor = "0";
        var calls = 0;
        do
        {
            var reply = (RedisResult[])(await db.ExecuteAsync("SCAN", cursor, "MATCH", "conc:scan:*", "COUNT", "37"))!;
            cursor = (string)reply[0]!;
            foreach (var key in (RedisResult[])reply[1]!)
            {
                seen.Add((string)key!);
            }

            calls++;
        }
        while (cursor != "0" && calls < MaxScanCalls);

        await stop.CancelAsync();
        await churn.WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal("0", cursor);
        Assert.All(seen, key => Assert.StartsWith("conc:scan:", key, StringComparison.Ordinal));
        var missing = Enumerable.Range(0, Stable).Select(i => $"conc:scan:stable:{i}").Where(k => !seen.Contains(k)).ToList();
        Assert.Empty(missing);
    }
    [Fact]
    public async Task LargeValuesOverwrittenAcrossClientsAreNeverTornOrMixed()
    {
        // A large value goes straight into an array of its own that SET keeps as the entry, and an overwritten one
        // nobody read is reused for the next large argument of its size: two SETs per GET, one length, few keys, so
        // arrays are freed and reused across connections while others read. Each value names its key in its first
        // byte and is one byte repeated after it.
        const int Writers = 8;
        const int Rounds = 30;
        const int Length = 100_000;
        const int Keys = 3;
        static RedisKey Key(int index) => $"conc:large:{index}";
        static byte[] Value(int key, byte fill)
        {
            var value = Enumerable.Repeat(fill, Length).ToArray();
            value[0] = (byte)key;
            return value;
        }

        static bool IsWhole(byte[]? value, int key) =>
            value is { Length: Length } && value[0] == key && value.AsSpan(2).IndexOfAnyExcept(value[1]) < 0;

        for (var key = 0; key < Keys; key++)
        {
            await _connections[0].GetDatabase().StringSetAsync(Key(key), Value(key, 0));
        }

        var torn = new List<string>();
        var workers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var db = _connections[writer].GetDatabase();
            for (var round = 0; round < Rounds; round++)
            {
                var fill = (byte)((writer * Rounds) + round);
                await db.StringSetAsync(Key(round % Keys), Value(round % Keys, fill));
                await db.StringSetAsync(Key((round + 1) % Keys), Value((round + 1) % Keys, (byte)~fill));
                var read = (byte[]?)await db.StringGetAsync(Key((round + writer) % Keys));
                if (!IsWhole(read, (round + writer) % Keys))
                {
                    lock (torn)
                    {
                        torn.Add($"writer {writer} round {round}: {read?.Length} bytes, first {read?[0]}");
                    }
                }
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(workers).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Empty(torn);
        for (var key = 0; key < Keys; key++)
        {
            Assert.True(IsWhole((byte[]?)await _connections[0].GetDatabase().StringGetAsync(Key(key)), key));
        }
    }

    [Fact]
    public async Task LargeElementsPushedWhileLargeValuesAreSetStayWhole()
    {
        // An LPUSH copies its large element, so the element's array goes back to be read into by the next large
        // argument of its length, on any connection; a SET keeps its value's array as the entry, which must never go
        // back (the request skips arrays a command kept; the adoption hold, still on when the next parse returns the
        // others, is a second guard). Half the clients push, half set a key per round (every array of one length),
        // and every element and every value is checked at the end, after the arrays have been passed around. Each
        // names its writer in its first byte and its round in the rest.
        const int Clients = 8;
        const int Rounds = 40;
        const int Length = 60_000;
        static byte[] Value(int writer, int round)
        {
            var value = Enumerable.Repeat((byte)round, Length).ToArray();
            value[0] = (byte)writer;
            return value;
        }

        static bool IsWhole(byte[]? value, int writer, int round) =>
            value is { Length: Length } && value[0] == writer && value.AsSpan(1).IndexOfAnyExcept((byte)round) < 0;

        // Keys of one length, so every array asked for is of one size.
        static RedisKey Key(int writer, int round) => $"conc:push:{writer}:{round:D2}";

        var workers = Enumerable.Range(0, Clients).Select(writer => Task.Run(async () =>
        {
            var db = _connections[writer].GetDatabase();
            for (var round = 0; round < Rounds; round++)
            {
                if (writer % 2 == 0)
                {
                    await db.ListLeftPushAsync(Key(writer, 0), Value(writer, round));
                }
                else
                {
                    await db.StringSetAsync(Key(writer, round), Value(writer, round));
                }
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(workers).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        var check = _connections[0].GetDatabase();
        for (var writer = 0; writer < Clients; writer++)
        {
            if (writer % 2 == 0)
            {
                var elements = await check.ListRangeAsync(Key(writer, 0));
                Assert.Equal(Rounds, elements.Length);
                for (var i = 0; i < Rounds; i++)
                {
                    Assert.True(IsWhole((byte[]?)elements[i], writer, Rounds - 1 - i), $"writer {writer}, element {i}");
                }
            }
            else
            {
                for (var round = 0; round < Rounds; round++)
                {
                    Assert.True(IsWhole((byte[]?)await check.StringGetAsync(Key(writer, round)), writer, round), $"writer {writer}, round {round}");
                }
            }
        }
    }
}
