using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The server and introspection replies whose RESP3 shape differs most from RESP2 (maps, sets, verbatim text),
/// against redis-server 7.0.15 in both protocols: COMMAND INFO/DOCS, CONFIG GET, ACL GETUSER, and by shape the texts
/// that hold clocks and byte counts (INFO, CLIENT INFO/LIST, the DOCTORs; MEMORY STATS is compared field by field and by type in
/// MemoryStatsParityTests).
/// </summary>
public sealed class ServerRepliesResp3DifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    [Fact]
    public Task CommandIntrospection() => RunAsync("""
        > COMMAND INFO get set zadd hgetall zrangestore nosuch
        > COMMAND INFO config|get
        > COMMAND DOCS get zadd
        > COMMAND DOCS nosuch
        """);

    [Fact]
    public Task ConfigAclAndNulls() => RunAsync("""
        > CONFIG GET maxmemory
        > CONFIG GET nosuch
        > ACL GETUSER default
        > ACL GETUSER nosuch
        > MEMORY USAGE r3:nokey
        > OBJECT ENCODING r3:nokey
        > CLIENT GETNAME
        > RANDOMKEY
        > CLIENT SETNAME r3
        > CLIENT GETNAME
        """);

    /// <summary>
    /// HELLO's map as redis-server's, byte for byte beside the connection id: the same version (7.0.15, which INFO
    /// server's redis_version repeats), mode and role, in RESP2 and RESP3.
    /// </summary>
    [Fact]
    public async Task HelloAndInfoClaimTheRedisVersionTheRepliesFollow()
    {
        await using var redis = await RespSocket.ConnectAsync(servers.RedisEndPoint);
        await using var node = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        foreach (var hello in new[] { new[] { "HELLO" }, ["HELLO", "3"], ["HELLO"], ["HELLO", "2"] })
        {
            var want = await redis.CommandAsync(hello);
            var got = await node.CommandAsync(hello);
            Assert.Equal(WithoutId(want), WithoutId(got));
        }

        var version = (await redis.CommandAsync("HELLO")).Items![3].Text;
        Assert.Equal("7.0.15", version);
        var info = (await node.CommandAsync("INFO", "server")).Text;
        Assert.StartsWith($"# Server\r\nredis_version:{version}\r\nredis_mode:standalone\r\n", info, StringComparison.Ordinal);

        static string WithoutId(RespValue reply) => System.Text.RegularExpressions.Regex.Replace(
            System.Text.Encoding.ASCII.GetString(reply.Raw), @"\$2\r\nid\r\n:\d+\r\n", "$$2\r\nid\r\n:ID\r\n");
    }

    [Fact]
    public Task TextRepliesAreVerbatimInResp3() => RunAsync("""
        ? INFO server
        ? INFO
        ? CLIENT INFO
        ? CLIENT LIST
        ? MEMORY DOCTOR
        ? LATENCY DOCTOR
        """);
}
