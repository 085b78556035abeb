using System.Globalization;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

// Every loop here is bounded by a fixed iteration count; threads start together on a barrier.
public class KeyValueStoreConcurrencyTests
{
    private const int Threads = 8;

    private readonly KeyValueStore _store = new();

    [Fact]
    public void ConcurrentIncrementsOfOneKeyAreAllCounted()
    {
        const int PerThread = 10_000;
        RunThreads(Threads, thread =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                Assert.Equal(IncrementResult.Ok, _store.IncrementBy("counter"u8, 1, out _));
            }
        });

        Assert.True(_store.TryGet("counter"u8, out var value));
        Assert.Equal((Threads * PerThread).ToString(CultureInfo.InvariantCulture), S(value.Span));
    }

    [Fact]
    public void ReadersNeverSeeHalfOfAnMset()
    {
        var (low, high) = KeysInDifferentShards();
        var checks = WhileMsetWritesBothKeys(low, high, readers: 2, thread =>
        {
            // Versions only grow, and both keys always hold the same version, so a read of one key taken between
            // two reads of the other must fall between them. A torn MSET breaks that in one order or the other.
            var (first, second) = thread == 1 ? (low, high) : (high, low);
            var before = Read(first);
            var middle = Read(second);
            var after = Read(first);
            Assert.InRange(middle, before, after);
        });

        Assert.True(checks > 0);
    }

    [Fact]
    public void GetManyNeverSeesHalfOfAnMset()
    {
        var (low, high) = KeysInDifferentShards();
        using var mget = Request("MGET", low, high, "missing");
        var checks = WhileMsetWritesBothKeys(low, high, readers: 1, _ =>
        {
            var values = new StoreValue[3];
            Assert.Equal(2, _store.GetMany(mget, 1, values));
            Assert.Equal(S(values[0].Span), S(values[1].Span));
            Assert.False(values[2].HasValue);
        });

        Assert.True(checks > 0);
    }

    /// <summary>
    /// One thread MSETs both keys to versions 1..20,000 while <paramref name="readers"/> threads (numbered from 1)
    /// run <paramref name="readOnce"/> until the writer is done; returns how many reads ran.
    /// </summary>
    private long WhileMsetWritesBothKeys(string low, string high, int readers, Action<int> readOnce)
    {
        const int Writes = 20_000;
        using var request0 = Request("MSET", low, "0", high, "0");
        _store.SetMany(request0, 1, onlyIfNoneExist: false);
        var done = 0;
        var checks = 0L;
        RunThreads(readers + 1, thread =>
        {
            if (thread == 0)
            {
                for (var i = 1; i <= Writes; i++)
                {
                    var text = i.ToString(CultureInfo.InvariantCulture);
                    using var request = Request("MSET", low, text, high, text);
                    _store.SetMany(request, 1, onlyIfNoneExist: false);
                }

                Volatile.Write(ref done, 1);
                return;
            }

            for (var i = 0; i < 2_000_000 && Volatile.Read(ref done) == 0; i++)
            {
                readOnce(thread);
                Interlocked.Increment(ref checks);
            }
        });

        Assert.Equal(Writes, Read(low));
        Assert.Equal(Writes, Read(high));
        return checks;
    }

    [Fact]
    public void SetIfNotExistsHasExactlyOneWinnerPerKey()
    {
        const int Keys = 2000;
        var winners = new int[Keys];
        var winnerIds = new int[Keys];
        RunThreads(Threads, thread =>
        {
            var value = B("t" + thread);
            for (var k = 0; k < Keys; k++)
            {
                if (_store.Set(B("nx" + k), value, 0, SetCondition.IfNotExists, keepTtl: false, out _))
                {
                    Interlocked.Increment(ref winners[k]);
                    winnerIds[k] = thread;
                }
            }
        });

        for (var k = 0; k < Keys; k++)
        {
            Assert.Equal(1, winners[k]);
            Assert.True(_store.TryGet(B("nx" + k), out var stored));
            Assert.Equal("t" + winnerIds[k], S(stored.Span));
        }
    }

    [Fact]
    public void ConcurrentRenameNxAcrossShardsNeverLosesOrDuplicatesAKey()
    {
        const int Tokens = 200;
        const int Names = 400;
        for (var i = 0; i < Tokens; i++)
        {
            _store.Set(B("name" + i), B("token" + i));
        }

        var renamed = 0;
        RunThreads(Threads, thread =>
        {
            var random = new Random(thread);
            for (var i = 0; i < 20_000; i++)
            {
                var source = B("name" + random.Next(Names));
                var target = B("name" + random.Next(Names));
                if (_store.Rename(source, target, onlyIfTargetMissing: true) == RenameResult.Renamed)
                {
                    Interlocked.Increment(ref renamed);
                }
            }
        });

        var values = AllValues();
        Assert.Equal(Tokens, values.Count);
        Assert.Equal(Tokens, values.Distinct().Count());
        Assert.True(renamed > 0);
    }

    [Fact]
    public void ConcurrentRenameOverwritesNeverDuplicateAKeyAndMixWithMsetWithoutDeadlock()
    {
        const int Tokens = 200;
        for (var i = 0; i < Tokens; i++)
        {
            _store.Set(B("name" + i), B("token" + i));
        }

        RunThreads(Threads, thread =>
        {
            var random = new Random(thread);
            if (thread == 0)
            {
                // An MSET over keys in many shards takes many locks at once, interleaved with the renames' pairs.
                var arguments = new List<string> { "MSET" };
                for (var i = 0; i < 64; i++)
                {
                    arguments.Add("other" + i);
                    arguments.Add("x");
                }

                using var request = Request([.. arguments]);
                for (var i = 0; i < 2000; i++)
                {
                    _store.SetMany(request, 1, onlyIfNoneExist: false);
                }

                return;
            }

            for (var i = 0; i < 20_000; i++)
            {
                _store.Rename(B("name" + random.Next(Tokens)), B("name" + random.Next(Tokens)), onlyIfTargetMissing: false);
            }
        });

        var values = AllValues().Where(v => v.StartsWith("token", StringComparison.Ordinal)).ToList();
        Assert.InRange(values.Count, 1, Tokens);
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.Equal(values.Count + 64, (int)_store.Count);
    }

    private static void RunThreads(int count, Action<int> body)
    {
        using var start = new Barrier(count);
        var failures = new List<Exception>();
        var threads = new Thread[count];
        for (var t = 0; t < count; t++)
        {
            var id = t;
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    body(id);
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add(e);
                    }
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "a worker thread did not finish (deadlock?)");
        }

        if (failures.Count > 0)
        {
            throw new AggregateException(failures);
        }
    }

    private long Read(string key)
    {
        Assert.True(_store.TryGet(B(key), out var value));
        return long.Parse(S(value.Span), CultureInfo.InvariantCulture);
    }

    private List<string> AllValues()
    {
        var keys = new List<byte[]>();
        _store.Keys("*"u8, keys);
        var values = new List<string>();
        foreach (var key in keys)
        {
            Assert.True(_store.TryGet(key, out var value));
            values.Add(S(value.Span));
        }

        return values;
    }

    private (string Low, string High) KeysInDifferentShards()
    {
        var low = "pair-a";
        for (var i = 0; i < 10_000; i++)
        {
            var candidate = "pair-b" + i;
            if (_store.ShardOf(B(candidate)) != _store.ShardOf(B(low)))
            {
                return _store.ShardOf(B(low)) < _store.ShardOf(B(candidate)) ? (low, candidate) : (candidate, low);
            }
        }

        throw new InvalidOperationException("no key in another shard");
    }
}
