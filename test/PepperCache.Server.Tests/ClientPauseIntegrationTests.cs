using System.Diagnostics;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.BlockingScenario;

namespace PepperCache.Server.Tests;

/// <summary>
/// CLIENT PAUSE across connections, each scenario on redis-server 7.0.15 and on a node: WRITE holds writes and the
/// commands that may replicate (the pausing client's own too) while reads go on; ALL holds every command of every
/// client, CLIENT UNPAUSE included, until the pause's end; what is refused is answered at once; held commands run in
/// order once the pause ends. A held client counts in INFO blocked_clients (a bounded poll says it is held). Every
/// scenario ends the pause it started.
/// </summary>
public sealed class ClientPauseIntegrationTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public Task PauseWriteHoldsWritesInOrderWhileReadsGoOn() => BothAsync(servers, async server =>
    {
        await using var pauser = await RespFrameClient.ConnectAsync(server);
        await using var writer = await RespFrameClient.ConnectAsync(server);
        await using var reader = await RespFrameClient.ConnectAsync(server);
        var id = (await Text(writer, "CLIENT", "ID"))[1..^2];
        List<string> seen = [];
        try
        {
            seen.Add(await Text(pauser, "CLIENT", "PAUSE", "20000", "WRITE"));
            await writer.SendAsync(["SET", "pw:k", "v"], ["INCR", "pw:n"], ["GET", "pw:k"]);
            await WaitForBlockedAsync(reader, 1);
            seen.Add(ClientFlags(await Text(reader, "CLIENT", "LIST", "ID", id)));
            seen.Add(await Text(reader, "GET", "pw:k"));
            seen.Add(await Text(reader, "EXISTS", "pw:n"));
            // May replicate (it caches its count), so held as a write; answered at once when refused.
            await reader.SendAsync(["PFCOUNT", "pw:h"]);
            await WaitForBlockedAsync(pauser, 2);
            seen.Add(await Text(pauser, "SET"));
            seen.Add(await Text(pauser, "CLIENT", "UNPAUSE"));
            seen.Add(await Read(writer));
            seen.Add(await Read(writer));
            seen.Add(await Read(writer));
            seen.Add(await Read(reader));
            seen.Add(await Text(reader, "DEL", "pw:k", "pw:n"));
        }
        finally
        {
            await EndPauseAsync(server);
        }

        return seen;
    }, "+OK\r\n", "flags=b", "$-1\r\n", ":0\r\n", "-ERR wrong number of arguments for 'set' command\r\n", "+OK\r\n",
        "+OK\r\n", ":1\r\n", "$1\r\nv\r\n", ":0\r\n", ":2\r\n");

    [Fact]
    public Task ThePausingClientsOwnWritesAreHeldAndALaterPauseOnlyWidensIt() => BothAsync(servers, async server =>
    {
        await using var pauser = await RespFrameClient.ConnectAsync(server);
        await using var other = await RespFrameClient.ConnectAsync(server);
        List<string> seen = [];
        try
        {
            seen.Add(await Text(pauser, "CLIENT", "PAUSE", "20000", "WRITE"));
            // A second, shorter pause keeps the first one's end.
            seen.Add(await Text(pauser, "CLIENT", "PAUSE", "0", "WRITE"));
            await pauser.SendAsync(["SET", "own:k", "v"]);
            await WaitForBlockedAsync(other, 1);
            seen.Add(await Text(other, "GET", "own:k"));
            seen.Add(await Text(other, "CLIENT", "UNPAUSE"));
            seen.Add(await Read(pauser));
            seen.Add(await Text(other, "DEL", "own:k"));
        }
        finally
        {
            await EndPauseAsync(server);
        }

        return seen;
    }, "+OK\r\n", "+OK\r\n", "$-1\r\n", "+OK\r\n", "+OK\r\n", ":1\r\n");

    /// <summary>
    /// Under ALL nothing runs until the pause's end, not even CLIENT UNPAUSE (nor INFO, so elapsed time is the only
    /// witness: the held replies come no sooner than the end). Unknown commands, arity errors and DEBUG's refusal are answered at once.
    /// </summary>
    [Fact]
    public Task PauseAllHoldsEveryCommandUntilItsEnd() => BothAsync(servers, async server =>
    {
        await using var pauser = await RespFrameClient.ConnectAsync(server);
        await using var other = await RespFrameClient.ConnectAsync(server);
        List<string> seen = [];
        try
        {
            var started = Stopwatch.StartNew();
            seen.Add(await Text(pauser, "CLIENT", "PAUSE", "600", "ALL"));
            seen.Add(await Text(other, "NOSUCHCOMMAND"));
            seen.Add(await Text(other, "GET"));
            seen.Add((await Text(other, "DEBUG", "HELP"))[..32]);
            await other.SendAsync(["CLIENT", "UNPAUSE"], ["GET", "all:k"]);
            await pauser.SendAsync(["PING"]);
            seen.Add(await Read(other));
            seen.Add(await Read(other));
            seen.Add(await Read(pauser));
            seen.Add(started.ElapsedMilliseconds >= 550 ? "held until the end" : $"answered after {started.ElapsedMilliseconds} ms");
        }
        finally
        {
            await EndPauseAsync(server);
        }

        return seen;
    }, "+OK\r\n", "-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: \r\n",
        "-ERR wrong number of arguments for 'get' command\r\n", "-ERR DEBUG command not allowed. ", "+OK\r\n", "$-1\r\n", "+PONG\r\n",
        "held until the end");

    [Fact]
    public Task AClientThatLeavesWhileHeldIsGone() => BothAsync(servers, async server =>
    {
        await using var pauser = await RespFrameClient.ConnectAsync(server);
        List<string> seen = [];
        try
        {
            seen.Add(await Text(pauser, "CLIENT", "PAUSE", "20000", "WRITE"));
            var writer = await RespFrameClient.ConnectAsync(server);
            await writer.SendAsync(["SET", "gone:k", "v"]);
            await WaitForBlockedAsync(pauser, 1);
            await writer.DisposeAsync();
            await WaitForBlockedAsync(pauser, 0);
            seen.Add(await Text(pauser, "CLIENT", "UNPAUSE"));
            seen.Add(await Text(pauser, "EXISTS", "gone:k"));
        }
        finally
        {
            await EndPauseAsync(server);
        }

        return seen;
    }, "+OK\r\n", "+OK\r\n", ":0\r\n");

    [Fact]
    public Task AClientKilledWhileHeldDoesNotRunItsCommand() => BothAsync(servers, async server =>
    {
        await using var pauser = await RespFrameClient.ConnectAsync(server);
        await using var writer = await RespFrameClient.ConnectAsync(server);
        var id = (await Text(writer, "CLIENT", "ID"))[1..^2];
        List<string> seen = [];
        try
        {
            seen.Add(await Text(pauser, "CLIENT", "PAUSE", "20000", "WRITE"));
            await writer.SendAsync(["SET", "killed:k", "v"]);
            await WaitForBlockedAsync(pauser, 1);
            seen.Add(await Text(pauser, "CLIENT", "KILL", "ID", id));
            seen.Add(await Text(pauser, "CLIENT", "UNPAUSE"));
            await WaitForBlockedAsync(pauser, 0);
            seen.Add(await Text(pauser, "EXISTS", "killed:k"));
        }
        finally
        {
            await EndPauseAsync(server);
        }

        return seen;
    }, "+OK\r\n", ":1\r\n", "+OK\r\n", ":0\r\n");

    /// <summary>So a failed scenario does not leave the server paused for the next one (under ALL this waits for its end).</summary>
    private static async Task EndPauseAsync(System.Net.IPEndPoint server)
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await client.ExecuteAsync("CLIENT", "UNPAUSE");
    }
}
