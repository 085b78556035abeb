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
        await Eventually.UntilAsync(
            () => GetAsync(http, "/readyz"), answer => answer.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/readyz answers 200",
            answer => $"{(int)answer.Status} {answer.Body}", TimeSpan.FromMilliseconds(100));
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
}
