using System.Globalization;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests.Sets;

/// <summary>Sets through a real client (StackExchange.Redis), and SSCAN's guarantee while other connections write.</summary>
public sealed class SetClientIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task StackExchangeRedisSetApiWorks()
    {
        await using var redis = await node.App.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.Equal(3, await db.SetAddAsync("se:a", ["x", "y", new byte[] { 0, 255 }]));
        Assert.False(await db.SetAddAsync("se:a", "x"));
        Assert.True(await db.SetContainsAsync("se:a", "y"));
        var contains = await db.SetContainsAsync("se:a", ["x", "nope"]);
        Assert.Equal(new[] { true, false }, contains);
        Assert.Equal(3, await db.SetLengthAsync("se:a"));
        await db.SetAddAsync("se:b", ["y", "z"]);
        Assert.Equal(["y"], (await db.SetCombineAsync(SetOperation.Intersect, "se:a", "se:b")).Select(v => (string)v!));
        Assert.Equal(4, (await db.SetCombineAsync(SetOperation.Union, "se:a", "se:b")).Length);
        Assert.Equal(2, await db.SetCombineAndStoreAsync(SetOperation.Difference, "se:d", "se:a", "se:b"));
        Assert.True(await db.SetMoveAsync("se:a", "se:b", "x"));
        Assert.Equal(["x", "y", "z"], (await db.SetMembersAsync("se:b")).Select(v => (string)v!).Order());
        Assert.Equal(3, db.SetScan("se:b", pageSize: 1).Count());
        Assert.True(await db.SetRemoveAsync("se:b", "z"));
        var popped = await db.SetPopAsync("se:b", 5);
        Assert.Equal(["x", "y"], popped.Select(v => (string)v!).Order());
        Assert.False(await db.KeyExistsAsync("se:b"));
        Assert.NotNull((string?)await db.SetRandomMemberAsync("se:a"));
        await db.StringSetAsync("se:s", "v");
        await Assert.ThrowsAsync<RedisServerException>(() => db.SetAddAsync("se:s", "m"));
    }

    /// <summary>
    /// A member present for a whole SSCAN is returned at least once while other connections add and remove members
    /// (the table grows several times meanwhile) and the scan advances a few members a call.
    /// </summary>
    [Fact]
    public async Task ScanReturnsEveryStableMemberWhileOthersAddAndRemove()
    {
        await using var scanner = await RespSocket.ConnectAsync(node.App.RespEndPoint);
        await using var writer = await RespSocket.ConnectAsync(node.App.RespEndPoint);
        const int Stable = 3000;
        for (var start = 0; start < Stable; start += 500)
        {
            await scanner.CommandAsync(["SADD", "ns:s", .. Enumerable.Range(start, 500).Select(i => $"stable:{i}")]);
        }

        using var stop = new CancellationTokenSource();
        var churn = ChurnAsync(writer, stop.Token);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cursor = "0";
        var calls = 0;
        try
        {
            do
            {
                var reply = await scanner.CommandAsync("SSCAN", "ns:s", cursor, "COUNT", "5");
                cursor = reply.Items![0].Text;
                seen.UnionWith(reply.Items[1].Items!.Select(m => Encoding.ASCII.GetString(m.Bulk!)));
                calls++;
            }
            while (cursor != "0" && calls < 1_000_000);
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
        }

        Assert.Equal("0", cursor);
        Assert.True(calls > 100, $"the scan took only {calls} calls: too few to overlap with the writes");
        var missing = Enumerable.Range(0, Stable).Select(i => "stable:" + i.ToString(CultureInfo.InvariantCulture)).Where(m => !seen.Contains(m)).ToList();
        Assert.Empty(missing);
    }

    /// <summary>Adds 20 members a round and removes them the round after; bounded, it ends when the scan ends.</summary>
    private static async Task ChurnAsync(RespSocket writer, CancellationToken stop)
    {
        for (var round = 0; round < 100_000 && !stop.IsCancellationRequested; round++)
        {
            await writer.CommandAsync(["SADD", "ns:s", .. Enumerable.Range(round * 20, 20).Select(i => $"churn:{i}")]);
            if (round % 2 == 1)
            {
                await writer.CommandAsync(["SREM", "ns:s", .. Enumerable.Range((round - 1) * 20, 40).Select(i => $"churn:{i}")]);
            }
        }
    }
}
