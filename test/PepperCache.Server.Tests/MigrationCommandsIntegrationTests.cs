using System.Globalization;
using System.Text;
using PepperCache.Protocol;
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
}
