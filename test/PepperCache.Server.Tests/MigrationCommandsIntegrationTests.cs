using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Client;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Tests.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// PEPPER.IMPORT sent by hand to a node of a cluster that does not serve the slot (as during a move): arity, errors,
/// RESET/APPEND, absolute expiry. The imported keys are checked in the node's store: the slot is not served there.
/// </summary>
public sealed class MigrationCommandsIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    /// <summary>A node that does not serve the slot of <paramref name="key"/>, so it accepts imports for it.</summary>
    private PepperCacheApplication ImporterFor(string key)
    {
        var owner = fixture.Cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(key))).Id;
        return fixture.Cluster.Nodes.First(n => TestCluster.State(n).MyId != owner);
    }

    private static string Slot(string key) => HashSlot.Of(Encoding.UTF8.GetBytes(key)).ToString(CultureInfo.InvariantCulture);

    private static string Command(params string[] arguments)
    {
        var text = new StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        return text.ToString();
    }

    [Theory]
    [InlineData("*2\r\n$13\r\nPEPPER.IMPORT\r\n$1\r\n0\r\n", "-ERR wrong number of arguments for 'pepper.import' command\r\n")]
    [InlineData("*4\r\n$13\r\npepper.import\r\n$1\r\n0\r\n$5\r\nRESET\r\n$1\r\n0\r\n", "-ERR wrong number of arguments for 'pepper.import' command\r\n")]
    [InlineData("*3\r\n$13\r\npepper.import\r\n$5\r\n16384\r\n$5\r\nRESET\r\n", "-ERR Invalid or out of range slot\r\n")]
    [InlineData("*3\r\n$13\r\npepper.import\r\n$2\r\n-1\r\n$5\r\nRESET\r\n", "-ERR Invalid or out of range slot\r\n")]
    [InlineData("*3\r\n$13\r\npepper.import\r\n$1\r\nx\r\n$5\r\nRESET\r\n", "-ERR Invalid or out of range slot\r\n")]
    [InlineData("*3\r\n$13\r\npepper.import\r\n$1\r\n0\r\n$5\r\nMERGE\r\n", "-ERR syntax error\r\n")]
    [InlineData("*3\r\n$13\r\npepper.import\r\n$1\r\n0\r\n$6\r\nappend\r\n", "+OK\r\n")]
    public async Task ArgumentsAreCheckedWithRedisTexts(string request, string reply)
    {
        var slotZeroKey = Enumerable.Range(0, 100_000).Select(i => $"k{i}").First(k => HashSlot.Of(Encoding.UTF8.GetBytes(k)) == 0);
        await using var client = await ImporterFor(slotZeroKey).ConnectRawAsync();
        await client.AssertReplyAsync(request, reply);
    }

    [Fact]
    public async Task ExpiriesMustBeNonNegativeIntegersAndKeysInTheSlot()
    {
        var importer = ImporterFor("{imp-err}a");
        await using var client = await importer.ConnectRawAsync();
        var slot = Slot("{imp-err}a");
        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "RESET", "-5", "{imp-err}a", "v"), "-ERR Invalid TTL value, must be >= 0\r\n");
        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "RESET", "soon", "{imp-err}a", "v"), "-ERR value is not an integer or out of range\r\n");
        await client.AssertReplyAsync(
            Command("PEPPER.IMPORT", slot, "RESET", "0", "{imp-err}a", "v", "0", "{other-slot}b", "v"),
            "-ERR Key does not hash to the slot being imported\r\n");
        // All or nothing: the valid first key was not written either.
        Assert.False(TestCluster.Server(importer).Store.Exists("{imp-err}a"u8));
    }

    [Fact]
    public async Task ImportStoresValuesWithAbsoluteExpiryAndResetDropsTheSlotFirst()
    {
        var importer = ImporterFor("{imp}a");
        var store = TestCluster.Server(importer).Store;
        await using var client = await importer.ConnectRawAsync();
        var slot = Slot("{imp}a");
        var expiresAt = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds();
        store.Set("{imp}stale"u8, "from an earlier attempt"u8);
        store.Set("{imp}a"u8, "older"u8);

        await client.AssertReplyAsync(
            Command("PEPPER.IMPORT", slot, "RESET", expiresAt.ToString(CultureInfo.InvariantCulture), "{imp}a", "moved", "0", "{imp}b", "forever"), "+OK\r\n");
        Assert.True(store.TryGet("{imp}a"u8, out var moved));
        Assert.Equal("moved", Encoding.UTF8.GetString(moved.Span));
        Assert.Equal(expiresAt, store.GetExpiresAt("{imp}a"u8));
        Assert.Equal(-1, store.GetExpiresAt("{imp}b"u8));
        Assert.False(store.Exists("{imp}stale"u8));

        // APPEND adds to what is there; a key whose expiry has passed is not stored.
        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "APPEND", "0", "{imp}c", "more", "1", "{imp}d", "expired"), "+OK\r\n");
        Assert.Equal([true, true, true, false], new[] { "{imp}a", "{imp}b", "{imp}c", "{imp}d" }.Select(k => store.Exists(Encoding.UTF8.GetBytes(k))));

        // The slot's owner still redirects: an import does not make this node serve the slot.
        await client.AssertReplyAsync(Command("GET", "{imp}a"), $"-MOVED {slot} {fixture.Cluster.OwnerOf(int.Parse(slot, CultureInfo.InvariantCulture)).Host}:{fixture.Cluster.OwnerOf(int.Parse(slot, CultureInfo.InvariantCulture)).Port}\r\n");
    }

    [Fact]
    public async Task ImportStoresCollectionsFromTheirPayloadWithTheirExpiryAndRefusesBadOnes()
    {
        var importer = ImporterFor("{imp-h}a");
        var store = TestCluster.Server(importer).Store;
        await using var client = await importer.ConnectRawAsync();
        var slot = Slot("{imp-h}a");
        var expiresAt = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds();
        // Format 1, two fields: "f" = "1", "g" = "" (every byte below 0x80, so it travels as UTF-8 text here).
        const string Payload = "\u0001\u0002\u0001f\u00011\u0001g\u0000";
        var typed = "4:" + expiresAt.ToString(CultureInfo.InvariantCulture);

        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "RESET", typed, "{imp-h}a", Payload, "0", "{imp-h}s", "plain", "4:0", "{imp-h}b", Payload), "+OK\r\n");
        Assert.Equal(Core.Storage.DataType.Hash, store.TypeOf("{imp-h}a"u8));
        Assert.Equal(expiresAt, store.GetExpiresAt("{imp-h}a"u8));
        Assert.Equal(-1, store.GetExpiresAt("{imp-h}b"u8));
        Assert.True(store.TryDescribe("{imp-h}b"u8, out var description));
        Assert.Equal("listpack", description.Encoding);
        Assert.True(store.TryGet("{imp-h}s"u8, out var plain));
        Assert.Equal("plain", Encoding.UTF8.GetString(plain.Span));

        // Unknown type, a string type with a colon, a payload cut short, a bad expiry after the colon: nothing written.
        foreach (var (expiry, payload) in new[] { ("9:0", Payload), ("0:0", Payload), ("4:0", Payload[..^1]), ("x:0", Payload), ("4:", Payload) })
        {
            var reply = expiry == "4:" ? "-ERR value is not an integer or out of range\r\n" : "-ERR Bad data format\r\n";
            await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "APPEND", "0", "{imp-h}new", "v", expiry, "{imp-h}c", payload), reply);
        }

        Assert.False(store.Exists("{imp-h}new"u8));
        Assert.False(store.Exists("{imp-h}c"u8));

        // An expiry already past: not stored.
        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "APPEND", "4:1", "{imp-h}d", Payload), "+OK\r\n");
        Assert.False(store.Exists("{imp-h}d"u8));
    }

    /// <summary>
    /// A joiner that has not learned the cluster's slot table takes itself for every slot's owner, so it cannot tell a
    /// slot being handed to it from one it serves: it refuses every import with TRYAGAIN before anything runs (the mover
    /// then sends it its view and retries, <see cref="RebalanceIntegrationTests"/>). RESET included: what it holds of
    /// the slot stays, and nothing is stored, counted as imported or added to used_memory.
    /// </summary>
    [Fact]
    public async Task ImportToANodeThatHasNotLearnedTheSlotTableIsRefusedWithTryAgainAndStoresNothing()
    {
        var token = TestContext.Current.CancellationToken;
        // Its joins never reach the seed, so it stays without a slot table (it gives up joining only after a minute).
        await using var joiner = new PepperCacheApplication(
            new Dictionary<string, string?> { ["PepperCache:Cluster"] = "127.0.0.1:1" },
            services => services.AddSingleton(sp =>
            {
                var peers = ActivatorUtilities.CreateInstance<PeerClient>(sp);
                peers.CutOff = _ => true;
                return peers;
            }));
        await using var client = await RespConnection.ConnectAsync("127.0.0.1", joiner.RespEndPoint.Port, token);
        var state = TestCluster.State(joiner);
        var server = TestCluster.Server(joiner);
        var store = server.Store;
        var slot = Slot("{nosync}a");
        store.Set("{nosync}held"u8, "before"u8);
        var usedBefore = await UsedMemoryAsync(client);
        Assert.False(state.Synced);

        // The take-back form (RESET, no keys) would empty the slot: refused too.
        string[][] imports = [["RESET", "0", "{nosync}a", "moved"], ["APPEND", "0", "{nosync}b", "moved"], ["RESET"]];
        foreach (var import in imports)
        {
            var reply = await client.ExecuteAsync(["PEPPER.IMPORT", slot, .. import]);
            Assert.True(reply.IsError, $"{string.Join(' ', import)}: {reply.Text}");
            Assert.Equal("TRYAGAIN This node has not learned the cluster's slot table yet", reply.Text);
        }

        Assert.False(state.Synced);
        Assert.False(store.Exists("{nosync}a"u8));
        Assert.False(store.Exists("{nosync}b"u8));
        Assert.True(store.TryGet("{nosync}held"u8, out var held));
        Assert.Equal("before", Encoding.UTF8.GetString(held.Span));
        Assert.Equal(1, store.Count);
        Assert.Equal(0, server.Migration.ImportCount(int.Parse(slot, CultureInfo.InvariantCulture)));
        Assert.Equal(usedBefore, await UsedMemoryAsync(client));
    }

    private static async Task<long> UsedMemoryAsync(RespConnection connection)
    {
        var text = (await connection.ExecuteAsync("INFO", "memory")).Text!;
        var line = text.Split("\r\n").Single(l => l.StartsWith("used_memory:", StringComparison.Ordinal));
        return long.Parse(line["used_memory:".Length..], CultureInfo.InvariantCulture);
    }
}
