using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// The admin API of a node with requirepass and a cluster secret: /healthz open, every other route 401 with a
/// WWW-Authenticate challenge until it gets the default user's password as a bearer token or an admin user's
/// credentials as HTTP Basic; membership calls accept the cluster secret as well.
/// </summary>
public sealed class AdminApiAuthIntegrationTests : IAsyncLifetime
{
    private const string Secret = "cluster-s3cret";

    private readonly PepperCacheApplication _node = new(new Dictionary<string, string?>
    {
        ["PepperCache:RequirePass"] = AclTestSupport.Password,
        ["PepperCache:ClusterSecret"] = Secret,
    });

    public async ValueTask InitializeAsync()
    {
        await using var admin = await RawRespClient.ConnectAsync(_node.RespEndPoint);
        Assert.Equal("OK", await admin.CommandAsync("AUTH", AclTestSupport.Password));
        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "operator", "on", ">op-pass", "-@all", "+@admin"));
        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "reader", "on", ">read-pass", "+@all", "-@dangerous", "~*"));
        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "disabled", "off", ">off-pass", "+@all"));
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task HealthzNeedsNoCredentials()
    {
        using var http = _node.CreateAdminClient();
        using var response = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/cluster")]
    [InlineData("/cluster/nodes")]
    [InlineData("/")]
    [InlineData("/dashboard/dashboard.js")]
    [InlineData("/dashboard/stats")]
    public async Task WithoutValidCredentialsTheAnswerIs401WithAChallenge(string path)
    {
        using var http = _node.CreateAdminClient();
        var refused = new List<AuthenticationHeaderValue?>
        {
            null,
            new("Bearer", "wrong"),
            Basic("default", "wrong"),
            Basic("nobody", "x"),
            Basic("reader", "read-pass"),
            Basic("disabled", "off-pass"),
            new("Basic", "not base64!"),
            new("Basic", Convert.ToBase64String("no-colon"u8)),
            new("Digest", "realm=x"),
        };

        foreach (var credentials in refused)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = credentials;
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{credentials}: {response.StatusCode}");
            Assert.Equal(
                ["Basic realm=\"peppercache\", charset=\"UTF-8\"", "Bearer realm=\"peppercache\""],
                response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        }
    }

    [Theory]
    [InlineData("/cluster")]
    [InlineData("/cluster/nodes")]
    [InlineData("/")]
    [InlineData("/dashboard/stats")]
    public async Task ThePasswordAsBearerOrAnAdminUserAsBasicIsLetIn(string path)
    {
        using var http = _node.CreateAdminClient();
        foreach (var credentials in new AuthenticationHeaderValue[] { new("Bearer", AclTestSupport.Password), Basic("default", AclTestSupport.Password), Basic("operator", "op-pass") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = credentials;
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{credentials}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task MembershipCallsTakeTheClusterSecretOrTheCredentials()
    {
        using var http = _node.CreateAdminClient();
        var message = _node.Services.GetRequiredService<ClusterState>().CreateMessage(includeSlots: false, 0, pull: true);

        async Task<HttpStatusCode> GossipAsync(Action<HttpRequestMessage> authorize)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/cluster/gossip")
            {
                Content = JsonContent.Create(message, ClusterJsonContext.Default.GossipMessage),
            };
            authorize(request);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await GossipAsync(r => r.Headers.Add(PeerClient.SecretHeader, Secret)));
        Assert.Equal(HttpStatusCode.OK, await GossipAsync(r => r.Headers.Authorization = Basic("default", AclTestSupport.Password)));
        Assert.Equal(HttpStatusCode.Unauthorized, await GossipAsync(_ => { }));
        Assert.Equal(HttpStatusCode.Unauthorized, await GossipAsync(r => r.Headers.Add(PeerClient.SecretHeader, "wrong")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GossipAsync(r => r.Headers.Authorization = Basic("reader", "read-pass")));
    }

    [Fact]
    public async Task RemovingThePasswordOpensTheApiAgain()
    {
        using var http = _node.CreateAdminClient();
        await using var admin = await RawRespClient.ConnectAsync(_node.RespEndPoint);
        Assert.Equal("OK", await admin.CommandAsync("AUTH", AclTestSupport.Password));

        Assert.Equal("OK", await admin.CommandAsync("CONFIG", "SET", "requirepass", ""));
        using var open = await http.GetAsync("/cluster", TestContext.Current.CancellationToken);
        Assert.Equal("OK", await admin.CommandAsync("CONFIG", "SET", "requirepass", AclTestSupport.Password));
        using var closed = await http.GetAsync("/cluster", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
