using System.Buffers;
using System.Globalization;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>
/// Keys evicted under maxmemory are logged as DEL, so a node restarted on the same log, even without a limit, has
/// exactly the keys the first one had when it stopped: nothing evicted comes back.
/// </summary>
public sealed class AofEvictionTests
{
    [Fact]
    public async Task AReplayDoesNotBringBackEvictedKeys()
    {
        var dir = TempDirectory();
        try
        {
            var written = new List<string>();
            SortedDictionary<string, (string, long)> before;
            long evicted;
            await using (var first = new PepperCacheApplication(new Dictionary<string, string?>
                         {
                             ["PepperCache:Dir"] = dir,
                             ["PepperCache:AppendFsync"] = "always",
                             ["PepperCache:MaxMemory"] = (1024 * 1024).ToString(CultureInfo.InvariantCulture),
                             ["PepperCache:MaxMemoryPolicy"] = "allkeys-lru",
                         }))
            {
                await using var client = await RespFrameClient.ConnectAsync(first.RespEndPoint);
                for (var batch = 0; batch < 30; batch++)
                {
                    var keys = Enumerable.Range(batch * 100, 100).Select(i => $"evict:{i:D4}").ToList();
                    written.AddRange(keys);
                    var replies = await client.ExecuteManyAsync(keys.Select(k => new[] { "SET", k, $"{k}:{new string('v', 1000)}" }));
                    Assert.All(replies, reply => Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(reply)));
                }

                // The last write may have left the node over its limit, which the background evicts from: let
                // commands bring it under first (each evicts before it runs), so nothing changes after the dump.
                for (var ping = 0; ping < 1000 && first.Store.IsOverMemoryLimit; ping++)
                {
                    Assert.Equal("+PONG\r\n", await client.ExecuteTextAsync("PING"));
                }

                Assert.False(first.Store.IsOverMemoryLimit);
                evicted = first.Store.EvictedKeys;
                before = Dump(first.Store);
            }

            var gone = written.Except(before.Keys).Order(StringComparer.Ordinal).ToList();
            Assert.True(evicted > 1000, $"only {evicted} keys evicted");
            Assert.Equal(evicted, gone.Count);
            Assert.Equal(gone, DeletedKeys(File.ReadAllBytes(Path.Combine(dir, AofSettings.FileName))));

            await using var second = new PepperCacheApplication(new Dictionary<string, string?>
            {
                ["PepperCache:Dir"] = dir,
                ["PepperCache:AppendFsync"] = "always",
            });
            _ = second.RespEndPoint;
            Assert.Equal(before, Dump(second.Store));
            Assert.Equal(0, second.Store.EvictedKeys);
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    /// <summary>The keys of every DEL record in a log, sorted.</summary>
    private static List<string> DeletedKeys(byte[] log)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(log));
        var request = new RespRequest();
        var deleted = new List<string>();
        for (var records = 0; records < 1_000_000 && RespParser.TryReadCommand(ref reader, request); records++)
        {
            if (request[0].SequenceEqual("DEL"u8))
            {
                Assert.Equal(2, request.Count);
                deleted.Add(Encoding.UTF8.GetString(request[1]));
            }
        }

        Assert.True(reader.End, "the log ends with a whole record");
        return deleted.Order(StringComparer.Ordinal).ToList();
    }
}
