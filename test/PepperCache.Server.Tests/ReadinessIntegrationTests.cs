using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Persistence;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// GET /readyz: 200 OK once the node has loaded its data and joined its cluster (or founded one); 503 with the
/// reason in plain text before; open without credentials, as /healthz.
/// </summary>
public sealed class ReadinessIntegrationTests
{
    [Fact]
    public async Task AFounderIsReadyOnceStarted()
    {
        await using var node = new PepperCacheApplication();
        using var http = node.CreateAdminClient();

        var (status, body) = await GetAsync(http, "/readyz");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("OK", body);
    }

    [Fact]
    public async Task WhileTheAppendOnlyFileLoadsTheNodeIsNotReadyAndSaysWhy()
    {
        await using var node = new PepperCacheApplication();
        using var http = node.CreateAdminClient();
        var aof = node.Services.GetRequiredService<AppendOnlyLog>();

        aof.Loading = true;
        var (loadingStatus, loadingBody) = await GetAsync(http, "/readyz");
        aof.Loading = false;
        var (status, _) = await GetAsync(http, "/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, loadingStatus);
        Assert.Equal("loading the append-only file", loadingBody);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task AJoinerIsNotReadyUntilItsSeedAnswersThenIs()
    {
        var seedAdminPort = NodeProcess.FreePort();
        var seedAddress = "127.0.0.1:" + seedAdminPort.ToString(CultureInfo.InvariantCulture);
        await using var joiner = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:Cluster"] = seedAddress });
        using var http = joiner.CreateAdminClient();

        var (waitingStatus, waitingBody) = await GetAsync(http, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, waitingStatus);
        Assert.StartsWith("joining the cluster through " + seedAddress, waitingBody, StringComparison.Ordinal);

        await using var seed = new PepperCacheApplication(new Dictionary<string, string?>
        {
            ["PepperCache:AdminPort"] = seedAdminPort.ToString(CultureInfo.InvariantCulture),
        });
        _ = seed.RespEndPoint;
        await PollAsync(http, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WithAPasswordReadyzAndHealthzNeedNoCredentials()
    {
        await using var node = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:RequirePass"] = "s3cret" });
        using var http = node.CreateAdminClient();

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/readyz")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/healthz")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/cluster")).Status);
    }

    internal static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Asks /readyz every 100 ms until it answers <paramref name="wanted"/>; fails with the last answer after <paramref name="timeout"/>.</summary>
    internal static async Task PollAsync(HttpClient http, HttpStatusCode wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = (Status: (HttpStatusCode)0, Body: "");
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(http, "/readyz");
            if (last.Status == wanted)
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"/readyz still answers {(int)last.Status} {last.Body} after {timeout}");
    }
}
