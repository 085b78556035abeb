using System.Globalization;
using PepperCache.Cli;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>pepper-cli's -a and --user against a PepperCache node started with requirepass, as against Redis.</summary>
public sealed class CliPasswordTests : IAsyncLifetime
{
    private readonly PepperCacheNode _node = new() { Settings = { ["PepperCache:RequirePass"] = "sesame" } };

    private string Port => _node.Port.ToString(CultureInfo.InvariantCulture);

    public ValueTask InitializeAsync() => _node.InitializeAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_password_and_a_user_are_sent_with_AUTH_as_redis_cli_sends_them()
    {
        var good = await RunAsync(["-p", Port, "-a", "sesame", "ping"], "");
        var quiet = await RunAsync(["-p", Port, "-a", "sesame", "--no-auth-warning"], "set k v\nget k\nacl setuser cli-user on >pw ~* +@all\n");
        var asUser = await RunAsync(["-p", Port, "--user", "cli-user", "-a", "pw", "--no-auth-warning", "acl", "whoami"], "");
        var wrong = await RunAsync(["-p", Port, "-a", "nope", "--no-auth-warning", "get", "k"], "");
        var none = await RunAsync(["-p", Port, "get", "k"], "");

        Assert.Equal((0, "PONG\n", "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n"), good);
        Assert.Equal((0, "OK\nv\nOK\n", ""), quiet);
        Assert.Equal((0, "cli-user\n", ""), asUser);
        Assert.Equal((1, "(error) NOAUTH Authentication required.\n", "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n"), wrong);
        Assert.Equal((1, "(error) NOAUTH Authentication required.\n", ""), none);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, string input)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var code = await CliApp.RunAsync(args, new StringReader(input), output, error, interactive: false)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
