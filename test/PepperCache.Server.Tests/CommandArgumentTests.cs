using PepperCache.Server.Commands;

namespace PepperCache.Server.Tests;

/// <summary>The usage grammar COMMAND DOCS arguments are written in.</summary>
public sealed class CommandArgumentTests
{
    [Fact]
    public void ValuesTokensAndChoicesParseAsRedisDocsDescribeThem()
    {
        var arguments = CommandArgument.Parse("key value condition=[NX|XX] [GET] [EX seconds:integer|KEEPTTL]");

        Assert.Equal(["key", "value", "condition", "get", "seconds-keepttl"], arguments.Select(a => a.Name));
        Assert.Equal(["key", "string", "oneof", "pure-token", "oneof"], arguments.Select(a => a.Type));
        Assert.Equal([false, false, true, true, true], arguments.Select(a => a.Optional));
        Assert.Equal("GET", arguments[3].Token);

        var expiry = arguments[4].Arguments;
        Assert.Equal(new CommandArgument("seconds", "integer", "EX", false, false, []), expiry[0]);
        Assert.Equal(("keepttl", "pure-token", "KEEPTTL"), (expiry[1].Name, expiry[1].Type, expiry[1].Token));
    }

    [Fact]
    public void RepeatsAndBlocksParse()
    {
        var del = Assert.Single(CommandArgument.Parse("key ..."));
        Assert.True(del.Multiple);
        Assert.False(del.Optional);

        var info = Assert.Single(CommandArgument.Parse("[section ...]"));
        Assert.True(info.Multiple);
        Assert.True(info.Optional);

        var mset = Assert.Single(CommandArgument.Parse("data=(key value) ..."));
        Assert.Equal(("data", "block", true), (mset.Name, mset.Type, mset.Multiple));
        Assert.Equal(["key", "value"], mset.Arguments.Select(a => a.Name));
    }

    [Fact]
    public void ATokenLabelsTheGroupAfterIt()
    {
        var list = Assert.Single(CommandArgument.Parse("[FILTERBY filterby=(MODULE module-name|PATTERN pattern:pattern)]"));
        Assert.Equal(("filterby", "oneof", "FILTERBY", true), (list.Name, list.Type, list.Token, list.Optional));
        Assert.Equal(["MODULE", "PATTERN"], list.Arguments.Select(a => a.Token));
        Assert.Equal("pattern", list.Arguments[1].Type);
    }

    [Fact]
    public void NamesWithColonsThatAreNotTypesStayWhole()
    {
        var kill = Assert.Single(CommandArgument.Parse("ip:port"));
        Assert.Equal(("ip:port", "string"), (kill.Name, kill.Type));
    }

    [Theory]
    [InlineData("[key")]
    [InlineData("key ]")]
    [InlineData("(a|b")]
    public void UnbalancedSyntaxIsRejected(string syntax) =>
        Assert.Throws<FormatException>(() => CommandArgument.Parse(syntax));
}
