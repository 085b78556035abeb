using System.Globalization;
using PepperCache.Cli;
using PepperCache.Client.Cluster;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>Nodes that redirect for ever do not hang the client or pepper-cli -c.</summary>
public sealed class RedirectLimitTests
{
    [Fact]
    public async Task The_library_follows_at_most_MaxRedirects_and_returns_the_last_redirect()
    {
        await using var server = new RedirectLoopServer();
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", server.Port, new ClusterClientOptions { MaxRedirects = 5 }, TestContext.Current.CancellationToken);
        var reply = await client.ExecuteAsync("GET", "k");

        Assert.Equal("-" + server.Moved, reply.ToString());
        Assert.Equal(1 + 5, server.Gets);
    }

    [Fact]
    public async Task Pepper_cli_c_gives_up_after_16_redirects_and_prints_the_last()
    {
        await using var server = new RedirectLoopServer();
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };

        var code = await CliApp.RunAsync(["-c", "-p", server.Port.ToString(CultureInfo.InvariantCulture), "GET", "k"], new StringReader(""), output, error, interactive: false)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Equal($"(error) {server.Moved}\n", output.ToString());
        Assert.Equal(1 + 16, server.Gets);
        Assert.Equal(1 + 16, server.Commands);
    }
}
