using System.Globalization;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Hosting;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests.Transport;

/// <summary><c>--io-threads</c>: how many epoll loops serve the cache port, fixed at start-up as Redis's <c>io-threads</c>.</summary>
public sealed class IoThreadsIntegrationTests
{
    public static TheoryData<int> LoopCounts() => PepperCache.Server.Transport.EpollTransport.IsSupported ? [1, 3] : [];

    [Theory]
    [MemberData(nameof(LoopCounts))]
    public async Task TheNodeRunsThatManyLoopsReportsThemAndRefusesToChangeThem(int loops)
    {
        await using var app = new PepperCacheApplication(new Dictionary<string, string?>
        {
            ["PepperCache:Transport"] = "epoll",
            ["PepperCache:IoThreads"] = loops.ToString(CultureInfo.InvariantCulture),
        });
        await using var client = await app.ConnectRawAsync();

        var text = loops.ToString(CultureInfo.InvariantCulture);
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "io-threads"), $"*2\r\n$10\r\nio-threads\r\n${text.Length}\r\n{text}\r\n");
        Assert.Equal(loops, Factory(app).EventLoops);
        await client.AssertReplyAsync(
            Encode("CONFIG", "SET", "io-threads", "2"),
            "-ERR CONFIG SET failed (possibly related to argument 'io-threads') - can't set immutable config\r\n");
    }

    [Fact]
    public async Task ByDefaultThereIsOneLoopPerCore()
    {
        if (!PepperCache.Server.Transport.EpollTransport.IsSupported)
        {
            return;
        }

        await using var app = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:Transport"] = "epoll" });
        await using var client = await app.ConnectRawAsync();

        var cores = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "io-threads"), $"*2\r\n$10\r\nio-threads\r\n${cores.Length}\r\n{cores}\r\n");
        Assert.Equal(Environment.ProcessorCount, Factory(app).EventLoops);
    }

    [Fact]
    public async Task OnKestrelsSocketsThereAreNoLoopsOfOurs()
    {
        await using var app = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:Transport"] = "sockets" });
        await using var client = await app.ConnectRawAsync();

        await client.AssertReplyAsync(Encode("CONFIG", "GET", "io-threads"), "*2\r\n$10\r\nio-threads\r\n$1\r\n0\r\n");
        Assert.Null(Factory(app).EventLoops);
    }

    [Fact]
    public async Task OneLoopServesManyClientsWhileOneIsBlocked()
    {
        if (!PepperCache.Server.Transport.EpollTransport.IsSupported)
        {
            return;
        }

        await using var app = new PepperCacheApplication(new Dictionary<string, string?>
        {
            ["PepperCache:Transport"] = "epoll",
            ["PepperCache:IoThreads"] = "1",
        });
        await using var blocked = await app.ConnectRawAsync();
        await blocked.SendAsync(Encode("BLPOP", "io:queue", "0"));

        // The blocked client waits in its connection, not in the loop: the loop's other clients are served meanwhile.
        var others = new List<RawRespClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var other = await app.ConnectRawAsync();
                others.Add(other);
                await other.AssertReplyAsync(Encode("SET", $"io:{i}", $"v{i}"), "+OK\r\n");
            }

            for (var i = 0; i < others.Count; i++)
            {
                await others[i].AssertReplyAsync(Encode("GET", $"io:{(i + 1) % others.Count}"), $"$2\r\nv{(i + 1) % others.Count}\r\n");
            }

            await others[0].AssertReplyAsync(Encode("RPUSH", "io:queue", "job"), ":1\r\n");
            const string popped = "*2\r\n$8\r\nio:queue\r\n$3\r\njob\r\n";
            Assert.Equal(popped, await blocked.ReadExactlyAsync(popped.Length));
        }
        finally
        {
            foreach (var other in others)
            {
                await other.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task InfoSaysIoThreadsActiveOnlyOnceALoopBeyondTheFirstRunsOnItsOwnThread()
    {
        if (!PepperCache.Server.Transport.EpollTransport.IsSupported)
        {
            return;
        }

        await using var app = new PepperCacheApplication(new Dictionary<string, string?>
        {
            ["PepperCache:Transport"] = "epoll",
            ["PepperCache:IoThreads"] = "3",
        });
        await using var client = await app.ConnectRawAsync();

        // Three loops, a light load: the first loop's thread serves all three sets.
        var status = app.Services.GetRequiredService<EventLoopStatus>();
        Assert.Equal(1, status.ActiveThreads);
        Assert.Contains("\r\nio_threads_active:0\r\n", await InfoServerAsync(client));

        // Loops that each run on their own thread, as a loaded node's do.
        using var awake = new PepperCache.Server.Transport.EpollTransport(
            2, 1024, 1024, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, PepperCache.Server.Transport.EpollLoopScaling.Fixed);
        status.Attach(awake);
        Assert.Equal(2, status.ActiveThreads);
        Assert.Contains("\r\nio_threads_active:1\r\n", await InfoServerAsync(client));
    }

    private static async Task<string> InfoServerAsync(RawRespClient client)
    {
        await client.SendAsync(Encode("INFO", "server"));
        var header = "";
        while (!header.EndsWith("\r\n", StringComparison.Ordinal))
        {
            header += await client.ReadExactlyAsync(1);
        }

        Assert.StartsWith("$", header);
        return await client.ReadExactlyAsync(int.Parse(header.AsSpan(1, header.Length - 3), CultureInfo.InvariantCulture) + 2);
    }

    private static BackoffSocketTransportFactory Factory(PepperCacheApplication app) =>
        app.Services.GetServices<IConnectionListenerFactory>().OfType<BackoffSocketTransportFactory>().Single();
}
