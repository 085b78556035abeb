using PepperCache.Core.Storage;

namespace PepperCache.Server.Tests;

/// <summary>Redis's stringmatch rules, as CONFIG GET and COMMAND LIST apply them.</summary>
public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    // As Redis's stringmatchlen: '*' does not match the empty string (KEYS/SCAN special-case match-all).
    [InlineData("*", "", false)]
    [InlineData("max*", "maxmemory", true)]
    [InlineData("max*", "timeout", false)]
    [InlineData("*memory*", "maxmemory-policy", true)]
    [InlineData("p?rt", "port", true)]
    [InlineData("p?rt", "prt", false)]
    [InlineData("h[xyz]llo", "hyllo", true)]
    [InlineData("h[xyz]llo", "hallo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-c]llo", "hbllo", true)]
    [InlineData("h[c-a]llo", "hbllo", true)]
    [InlineData("h[a-c]llo", "hdllo", false)]
    [InlineData(@"h\*llo", "h*llo", true)]
    [InlineData(@"h\*llo", "hello", false)]
    [InlineData("a**b", "axxb", true)]
    [InlineData("*b", "aab", true)]
    [InlineData("*b", "aba", false)]
    [InlineData("MAX*", "maxclients", true)]
    [InlineData("h[A-C]llo", "hbllo", true)]
    [InlineData("h[abc", "hb", true)]
    public void MatchesAsRedisDoesIgnoringCase(string pattern, string text, bool expected) =>
        Assert.Equal(expected, GlobPattern.IsMatch(pattern, text, ignoreCase: true));

    [Fact]
    public void CaseMattersWhenAsked()
    {
        Assert.False(GlobPattern.IsMatch("MAX*", "maxclients", ignoreCase: false));
        Assert.True(GlobPattern.IsMatch("max*", "maxclients", ignoreCase: false));
    }

    [Theory]
    [InlineData("port", false)]
    [InlineData("p*", true)]
    [InlineData("p?", true)]
    [InlineData("[p]", true)]
    public void WildcardsAreStarQuestionMarkAndBracket(string text, bool expected) =>
        Assert.Equal(expected, GlobPattern.HasWildcards(text));
}
