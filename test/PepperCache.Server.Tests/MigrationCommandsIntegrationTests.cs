using System.Globalization;
using System.Text;
using PepperCache.Core.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>PEPPER.IMPORT on a single node (no cluster view): arity, errors, RESET/APPEND, absolute expiry.</summary>
public sealed class MigrationCommandsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
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
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(request, reply);
    }

    [Fact]
    public async Task ExpiriesMustBeNonNegativeIntegersAndKeysInTheSlot()
    {
        await using var client = await node.App.ConnectRawAsync();
        var slot = Slot("{imp-err}a");
        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "RESET", "-5", "{imp-err}a", "v"), "-ERR Invalid TTL value, must be >= 0\r\n");
        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "RESET", "soon", "{imp-err}a", "v"), "-ERR value is not an integer or out of range\r\n");
        await client.AssertReplyAsync(
            Command("PEPPER.IMPORT", slot, "RESET", "0", "{imp-err}a", "v", "0", "{other-slot}b", "v"),
            "-ERR Key does not hash to the slot being imported\r\n");
        // All or nothing: the valid first key was not written either.
        await client.AssertReplyAsync(Command("EXISTS", "{imp-err}a"), ":0\r\n");
    }

    [Fact]
    public async Task ImportStoresValuesWithAbsoluteExpiryAndResetDropsTheSlotFirst()
    {
        await using var client = await node.App.ConnectRawAsync();
        var slot = Slot("{imp}a");
        var expiresAt = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await client.AssertReplyAsync(Command("SET", "{imp}stale", "from an earlier attempt"), "+OK\r\n");
        await client.AssertReplyAsync(Command("SET", "{imp}a", "older"), "+OK\r\n");

        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "RESET", expiresAt, "{imp}a", "moved", "0", "{imp}b", "forever"), "+OK\r\n");
        await client.AssertReplyAsync(Command("GET", "{imp}a"), "$5\r\nmoved\r\n");
        await client.AssertReplyAsync(Command("PEXPIRETIME", "{imp}a"), $":{expiresAt}\r\n");
        await client.AssertReplyAsync(Command("PEXPIRETIME", "{imp}b"), ":-1\r\n");
        await client.AssertReplyAsync(Command("EXISTS", "{imp}stale"), ":0\r\n");

        // APPEND adds to what is there; a key whose expiry has passed is not stored.
        await client.AssertReplyAsync(Command("PEPPER.IMPORT", slot, "APPEND", "0", "{imp}c", "more", "1", "{imp}d", "expired"), "+OK\r\n");
        await client.AssertReplyAsync(Command("EXISTS", "{imp}a", "{imp}b", "{imp}c", "{imp}d"), ":3\r\n");
    }
}
