using System.Globalization;
using System.Net;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>A node with a big append-only file is ready only once all of it is replayed.</summary>
public sealed class ReadinessProcessTests
{
    [Fact]
    public async Task ReadyzFirstAnswers200OnceTheWholeFileIsReplayed()
    {
        var dir = Directory.CreateTempSubdirectory("peppercache-ready-").FullName;
        try
        {
            // Enough records that the replay takes a while after the ports are bound.
            await using (var file = File.Create(Path.Combine(dir, "appendonly.aof")))
            {
                for (var i = 0; i < 200_000; i++)
                {
                    await file.WriteAsync(Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$10\r\nkey:{i:D6}\r\n$5\r\nvalue\r\n"), TestContext.Current.CancellationToken);
                }
            }

            var port = NodeProcess.FreePort();
            var adminPort = NodeProcess.FreePort();
            await using var node = NodeProcess.Start(["--dir", dir, "--port", port.ToString(CultureInfo.InvariantCulture), "--admin-port", adminPort.ToString(CultureInfo.InvariantCulture)]);
            // While the file replays the admin port does not answer yet (the connection waits), so a probe with a
            // timeout fails; the first answer that comes is the one after the replay.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(60) };
            await Eventually.UntilAsync(
                async () =>
                {
                    try
                    {
                        return (HttpStatusCode?)(await ReadinessIntegrationTests.GetAsync(http, "/readyz")).Status;
                    }
                    catch (HttpRequestException)
                    {
                        return null; // Not listening yet.
                    }
                },
                status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "/readyz answers 200", interval: TimeSpan.FromMilliseconds(100));
            await using var client = await RawRespClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await client.AssertReplyAsync("DBSIZE\r\n", ":200000\r\n");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
