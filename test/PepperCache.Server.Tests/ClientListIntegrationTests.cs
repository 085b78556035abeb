using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>
/// CLIENT LIST and CLIENT INFO against redis-server: the same field names in the same order (PepperCache adds 7.2's
/// lib-name and lib-ver at the end), and values that move as they should (qbuf with a partial command, omem with a
/// reply the client does not read).
/// </summary>
public sealed class ClientListIntegrationTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private static readonly string[] Redis72Additions = ["lib-name", "lib-ver"];

    [Theory]
    [InlineData("LIST")]
    [InlineData("INFO")]
    public async Task FieldNamesAndOrderAreRedisServers(string subcommand)
    {
        await using var redis = await RawRespClient.ConnectAsync(servers.RedisEndPoint);
        await using var pepper = await servers.Node.ConnectRawAsync();
        var expected = FieldNames(Assert.IsType<string>(await redis.CommandAsync("CLIENT", subcommand)));
        var actual = FieldNames(Assert.IsType<string>(await pepper.CommandAsync("CLIENT", subcommand)));
        // Redis 7.0.15 has no lib-name/lib-ver; 7.2 prints them last, as PepperCache does.
        Assert.Equal([.. expected.Where(n => !Redis72Additions.Contains(n)), .. Redis72Additions], actual);
    }

    [Fact]
    public async Task ThisConnectionsOwnLineHasTrueValues()
    {
        await using var client = await servers.Node.ConnectRawAsync();
        var fields = Fields(Assert.IsType<string>(await client.CommandAsync("CLIENT", "INFO")));
        Assert.True(long.Parse(fields["fd"], CultureInfo.InvariantCulture) > 2, "a TCP connection has a real descriptor");
        // The command being run is still in the input buffer, as in Redis: *2 $6 CLIENT $4 INFO is 26 bytes.
        Assert.Equal("26", fields["qbuf"]);
        Assert.Equal("4070", fields["qbuf-free"]);
        Assert.Equal("10", fields["argv-mem"]);
        Assert.Equal("0", fields["omem"]);
        Assert.Equal("r", fields["events"]);
        Assert.Equal("N", fields["flags"]);
        Assert.True(long.Parse(fields["tot-mem"], CultureInfo.InvariantCulture) > 4096 + 10);
    }

    [Fact]
    public async Task QueryBufferGrowsWithAPartialCommand()
    {
        await using var sender = await servers.Node.ConnectRawAsync();
        await using var observer = await servers.Node.ConnectRawAsync();
        var id = IdOf(await sender.CommandAsync("CLIENT", "ID"));
        var partial = "*3\r\n$3\r\nSET\r\n$7\r\npartial\r\n$100\r\n" + new string('x', 40);
        await sender.SendAsync(partial);

        var fields = await PollAsync(observer, id, f => f["qbuf"] != "0");
        Assert.Equal(partial.Length.ToString(CultureInfo.InvariantCulture), fields["qbuf"]);
        Assert.Equal((4096 - partial.Length).ToString(CultureInfo.InvariantCulture), fields["qbuf-free"]);

        await sender.SendAsync(new string('x', 60) + "\r\n");
        Assert.Equal("OK", await sender.ReadReplyAsync());
        fields = await PollAsync(observer, id, f => f["qbuf"] == "0");
        Assert.Equal("0", fields["qbuf-free"]);
    }

    [Fact]
    public async Task OutputMemoryShowsAReplyTheClientDoesNotRead()
    {
        const int size = 32 * 1024 * 1024;
        await using var reader = await servers.Node.ConnectRawAsync();
        await using var observer = await servers.Node.ConnectRawAsync();
        Assert.Equal("OK", await observer.CommandAsync("SET", "client-list:large", new string('v', size)));
        var id = IdOf(await reader.CommandAsync("CLIENT", "ID"));
        await reader.SendAsync(Encode("GET", "client-list:large"));

        var fields = await PollAsync(observer, id, f => f["omem"] != "0");
        var omem = long.Parse(fields["omem"], CultureInfo.InvariantCulture);
        Assert.InRange(omem, size - 16 * 1024, size + 64);
        Assert.Equal("16384", fields["obl"]);
        Assert.Equal(((omem + 16383) / 16384).ToString(CultureInfo.InvariantCulture), fields["oll"]);
        Assert.Equal("rw", fields["events"]);
        Assert.True(long.Parse(fields["tot-mem"], CultureInfo.InvariantCulture) > size);

        Assert.Equal(size, Assert.IsType<string>(await reader.ReadReplyAsync()).Length);
        fields = await PollAsync(observer, id, f => f["omem"] == "0");
        Assert.Equal("r", fields["events"]);
        Assert.Equal("16384", fields["rbp"]);
    }

    private static long IdOf(object? reply) => Assert.IsType<long>(reply);

    /// <summary>CLIENT LIST ID until <paramref name="done"/> holds (the other connection's loop runs on its own), at most 5 s.</summary>
    private static Task<Dictionary<string, string>> PollAsync(RawRespClient observer, long id, Func<Dictionary<string, string>, bool> done) =>
        Eventually.UntilAsync(
            async () => Fields(Assert.IsType<string>(await observer.CommandAsync("CLIENT", "LIST", "ID", id.ToString(CultureInfo.InvariantCulture)))),
            done,
            TimeSpan.FromSeconds(5),
            "CLIENT LIST shows the expected values",
            fields => string.Join(' ', fields.Select(f => $"{f.Key}={f.Value}")),
            TimeSpan.FromMilliseconds(20));

    private static List<string> FieldNames(string line) =>
        [.. line.TrimEnd('\n').Split('\n')[0].Split(' ').Select(field => field[..field.IndexOf('=', StringComparison.Ordinal)])];

    private static Dictionary<string, string> Fields(string line) =>
        line.TrimEnd('\n').Split(' ').Select(f => f.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
}
