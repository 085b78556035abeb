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
