using System.Diagnostics;
using PepperCache.Server.Tests.Infrastructure;
using PepperCache.Testing;

namespace PepperCache.Server.Tests.Migrate;

/// <summary>
/// MIGRATE's argument errors and I/O failures byte for byte against redis-server, and the wait for a silent target
/// holding only its own client.
/// </summary>
public sealed class MigrateFailureTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task ArgumentErrorsAndUnreachableTargetsAnswerAsRedis()
    {
        // Nobody listens there: Redis finds out when it writes.
        var closed = RedisServer.FreePort();
        await RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, $"""
            SET mig:k v
            MIGRATE
            MIGRATE 127.0.0.1 {closed} mig:k 0
            MIGRATE 127.0.0.1 {closed} mig:k 0 100 FOO
            MIGRATE 127.0.0.1 {closed} mig:k 0 100 COPY REPLACE FOO
            MIGRATE 127.0.0.1 {closed} mig:k x 100
            MIGRATE 127.0.0.1 {closed} mig:k 0 x
            MIGRATE 127.0.0.1 {closed} mig:k 0 99999999999999999999
            MIGRATE 127.0.0.1 {closed} mig:k 0 100 AUTH
            MIGRATE 127.0.0.1 {closed} mig:k 0 100 AUTH2 user
            MIGRATE 127.0.0.1 {closed} mig:k 0 100 KEYS a
            MIGRATE 127.0.0.1 {closed} mig:k 0 100 keys
            MIGRATE 127.0.0.1 {closed} "" 0 100 KEYS
            MIGRATE 127.0.0.1 {closed} "" 0 100 KEYS mig:missing
            MIGRATE 127.0.0.1 {closed} mig:missing 0 100
            MIGRATE 127.0.0.1 {closed} mig:k 0 100
            MIGRATE 127.0.0.1 {closed} mig:k 0 100 COPY KEYS mig:k
            MIGRATE 127.0.0.1 {closed} "" 0 100 COPY AUTH pw KEYS mig:k
            MIGRATE 127.0.0.1 abc mig:k 0 100
            MIGRATE 127.0.0.1 99999 mig:k 0 100
            GET mig:k
            COMMAND GETKEYS MIGRATE h 1 mig:k 0 100
            COMMAND GETKEYS MIGRATE h 1 "" 0 100 COPY KEYS a b
            COMMAND GETKEYS MIGRATE h 1 "" 0 100 AUTH KEYS a b
            COMMAND GETKEYS MIGRATE h 1 mig:k 0 100 KEYS a
            COMMAND GETKEYS MIGRATE h 1 "" 0 100 KEYS
            COMMAND GETKEYS MIGRATE h 1 "" 0 100 AUTH2 u KEYS KEYS a
            COMMAND GETKEYS MIGRATE h 1 "" 0 100 AUTH KEYS KEYS
            COMMAND GETKEYS MIGRATE h 1 k 0 100 AUTH KEYS x
            """);
    }

    [Fact]
    public async Task ASilentTargetTimesOutReadingWhileOtherClientsGoOn()
    {
        // Accepts and never answers: the RESTORE reply never comes.
        using var silent = ScriptedTarget.Listen(out var port);
        await using var migrating = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var other = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await migrating.ExecuteAsync("SET", "silent:k", "v");

        var clock = Stopwatch.StartNew();
        var migrate = migrating.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "silent:k", "0", "1500");
        using var accepted = await silent.AcceptSocketAsync(TestContext.Current.CancellationToken);
        // While MIGRATE waits for the target, another client is served at once.
        Assert.Equal("+PONG\r\n", await other.ExecuteTextAsync("PING"));
        Assert.False(migrate.IsCompleted);
        Assert.True(clock.ElapsedMilliseconds < 1500, $"PING answered after {clock.ElapsedMilliseconds} ms");

        Assert.Equal("-IOERR error or timeout reading to target instance\r\n", await migrate.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.InRange(clock.ElapsedMilliseconds, 1400, 8000);
        Assert.Equal("$1\r\nv\r\n", await migrating.ExecuteTextAsync("GET", "silent:k"));
    }

    [Fact]
    public async Task AKeyChangedWhileTheTargetIsBusyStaysAndTheUnchangedOneGoes()
    {
        // A target that reads SELECT and two RESTOREs, then answers all three +OK only when the test says so.
        using var target = ScriptedTarget.Listen(out var port);
        await using var migrating = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var writer = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await migrating.ExecuteAsync("SET", "busy:changed", "old");
        await migrating.ExecuteAsync("SET", "busy:same", "v");

        var migrate = migrating.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS", "busy:changed", "busy:same");
        using var accepted = await target.AcceptSocketAsync(TestContext.Current.CancellationToken);
        await ScriptedTarget.ReceiveUntilAsync(accepted, "RESTORE"u8.ToArray(), 2, TimeSpan.FromSeconds(10));

        // Written while MIGRATE waits for the target: the copy there is the old value.
        Assert.Equal("+OK\r\n", await writer.ExecuteTextAsync("SET", "busy:changed", "new"));
        await accepted.SendAsync("+OK\r\n+OK\r\n+OK\r\n"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal("+OK\r\n", await migrate.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal("$3\r\nnew\r\n", await writer.ExecuteTextAsync("GET", "busy:changed"));
        Assert.Equal("$-1\r\n", await writer.ExecuteTextAsync("GET", "busy:same"));
    }
}
