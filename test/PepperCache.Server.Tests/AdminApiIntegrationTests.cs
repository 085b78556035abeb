using System.Net;
using PepperCache.Server.Http;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

public sealed class AdminApiIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task ClusterListsThisNodeWithItsPortWhenPortsAreNotTheDefaults()
    {
        using var http = node.App.CreateAdminClient();

        using var response = await http.GetAsync("/cluster", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal($"[\"127.0.0.1:{node.App.RespEndPoint.Port}\"]", body);
    }

    [Fact]
    public async Task HealthzAnswers200Ok()
    {
        using var http = node.App.CreateAdminClient();

        using var response = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UnknownPathIs404AndRespPortDoesNotSpeakHttp()
    {
        using var http = node.App.CreateAdminClient();

        using var response = await http.GetAsync("/nope", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        // HTTP lives on the admin port only: on the RESP port a request line is an inline GET with too many arguments.
        await using var raw = await node.App.ConnectRawAsync();
        await raw.AssertReplyAsync("GET /cluster HTTP/1.1\r\n", "-ERR wrong number of arguments for 'get' command\r\n");
    }

    [Theory]
    [InlineData("127.0.0.1", 9004, 18088, "127.0.0.1")]
    [InlineData("10.0.0.5", 9004, 18088, "10.0.0.5")]
    [InlineData("10.0.0.5", 9005, 18088, "10.0.0.5:9005")]
    [InlineData("127.0.0.1", 9004, 18089, "127.0.0.1:9004")]
    public void ClusterShowsTheBareAddressOnlyWithTheDefaultPorts(string address, int port, int adminPort, string expected)
    {
        Assert.Equal(expected, ClusterApi.FormatAddress(address, port, adminPort));
    }
}
