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
}
