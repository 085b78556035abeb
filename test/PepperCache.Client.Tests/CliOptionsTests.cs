using PepperCache.Cli;

namespace PepperCache.Client.Tests;

public sealed class CliOptionsTests
{
    [Fact]
    public void Defaults_are_the_original_tools()
    {
        var options = CliOptions.Parse([], out var error);

        Assert.NotNull(options);
        Assert.Null(error);
        Assert.Equal("127.0.0.1", options.Node);
        Assert.Equal(9004, options.Port);
        Assert.False(options.Raw);
        Assert.Empty(options.Command);
    }

    [Fact]
    public void Flags_take_any_dash_style_and_the_rest_is_the_command()
    {
        var options = CliOptions.Parse(["-node", "127.0.0.2", "--port=9005", "--raw", "set", "--port", "x"], out _);

        Assert.NotNull(options);
        Assert.Equal("127.0.0.2", options.Node);
        Assert.Equal(9005, options.Port);
        Assert.True(options.Raw);
        Assert.Equal(["set", "--port", "x"], options.Command);
    }

    [Theory]
    [InlineData(new[] { "--port", "abc" }, "invalid value \"abc\" for flag -port: parse error")]
    [InlineData(new[] { "--port", "70000" }, "invalid value \"70000\" for flag -port: parse error")]
    [InlineData(new[] { "--node" }, "flag needs an argument: -node")]
    [InlineData(new[] { "--bogus" }, "flag provided but not defined: -bogus")]
    public void Bad_flags_are_refused_with_a_reason(string[] args, string expected)
    {
        Assert.Null(CliOptions.Parse(args, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Redis_cli_style_flags_for_cluster_auth_and_repeat()
    {
        var options = CliOptions.Parse(["-h", "10.0.0.1", "-p", "7000", "-c", "-a", "pw", "--user", "bob", "--no-auth-warning", "-r", "-1", "-i", "0.25", "get", "k"], out _);

        Assert.NotNull(options);
        Assert.Equal(("10.0.0.1", 7000), (options.Node, options.Port));
        Assert.True(options.Cluster);
        Assert.Equal(("pw", "bob"), (options.Password, options.User));
        Assert.True(options.NoAuthWarning);
        Assert.Equal(-1, options.Repeat);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Interval);
        Assert.Equal(["get", "k"], options.Command);
    }

    [Fact]
    public void Without_r_a_command_is_sent_once()
    {
        var options = CliOptions.Parse(["ping"], out _);

        Assert.NotNull(options);
        Assert.Equal(1, options.Repeat);
        Assert.Equal(TimeSpan.Zero, options.Interval);
        Assert.False(options.Cluster);
        Assert.Null(options.Password);
    }

    [Theory]
    [InlineData(new[] { "-r", "x" }, "invalid value \"x\" for flag -r: parse error")]
    [InlineData(new[] { "-i", "-1" }, "invalid value \"-1\" for flag -i: parse error")]
    [InlineData(new[] { "-p", "0" }, "invalid value \"0\" for flag -p: parse error")]
    [InlineData(new[] { "-a" }, "flag needs an argument: -a")]
    public void Bad_values_of_the_new_flags_are_refused(string[] args, string expected)
    {
        Assert.Null(CliOptions.Parse(args, out var error));
        Assert.Equal(expected, error);
    }
}
