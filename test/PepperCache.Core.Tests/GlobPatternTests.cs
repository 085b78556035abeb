using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

public class GlobPatternTests
{
    // Every expectation below was read from Redis 7.0.15: FLUSHALL, SET <text>, KEYS <pattern>.
    // Strings are Latin-1, so "\u00ff" is the byte 0xFF.
    [Theory]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hallo", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h*llo", "hllo", true)]
    [InlineData("h*llo", "heeeello", true)]
    [InlineData("h*llo", "hellox", false)]
    [InlineData("h[ae]llo", "hello", true)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("h[a-b]llo", "hcllo", false)]
    [InlineData("[z-a]", "m", true)]
    [InlineData("[z-a]", "A", false)]
    [InlineData("[a-z0-9]", "5", true)]
    [InlineData("[a-z0-9]", "_", false)]
    [InlineData("h\\*llo", "h*llo", true)]
    [InlineData("h\\*llo", "hello", false)]
    [InlineData("\\?", "?", true)]
    [InlineData("\\?", "a", false)]
    [InlineData("a\\", "a\\", true)]
    [InlineData("a\\", "a", false)]
    [InlineData("\\\\", "\\", true)]
    [InlineData("[abc", "a", true)]
    [InlineData("[abc", "c", true)]
    [InlineData("[abc", "d", false)]
    [InlineData("[abc", "abc", false)]
    [InlineData("[", "[", false)]
    [InlineData("[", "a", false)]
    [InlineData("[^", "x", true)]
    [InlineData("[^", "^", true)]
    [InlineData("[^]", "x", true)]
    [InlineData("[]]", "]", false)]
    [InlineData("[]a]", "a", false)]
    [InlineData("[]a]", "]", false)]
    [InlineData("[\\]]", "]", true)]
    [InlineData("[\\]", "\\", false)]
    [InlineData("[\\]", "]", true)]
    [InlineData("[a-]", "-", false)]
    [InlineData("[a-]", "_", true)]
    [InlineData("[a-]", "b", false)]
    [InlineData("[-a]", "-", true)]
    [InlineData("[^a-c]", "b", false)]
    [InlineData("[^a-c]", "d", true)]
    [InlineData("[a\\-c]", "-", true)]
    [InlineData("[a\\-c]", "b", false)]
    [InlineData("[\u0001-\u00ff]", "\u0000", true)]
    [InlineData("[\u0001-\u00ff]", "\u0080", false)]
    [InlineData("[\u0001-\u00ff]", "a", false)]
    [InlineData("[\u0001-\u00ff]", "\u00ff", true)]
    [InlineData("[a-\u00e9]", "b", false)]
    [InlineData("[a-\u00e9]", "\u00f0", true)]
    [InlineData("[a-\u00e9]", "\u0000", true)]
    [InlineData("\u00e9*", "\u00e9t\u00e9", true)]
    [InlineData("?", "\u00ff", true)]
    [InlineData("a?b", "a\u0000b", true)]
    [InlineData("a\u0000b", "a\u0000b", true)]
    [InlineData("a\u0000b", "a\u0000c", false)]
    [InlineData("a*", "a", true)]
    [InlineData("*a", "a", true)]
    [InlineData("*a", "ba", true)]
    [InlineData("**", "a", true)]
    [InlineData("?*", "a", true)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("*?*?*", "a", false)]
    [InlineData("*?*?*", "ab", true)]
    [InlineData("", "a", false)]
    [InlineData("?", "", false)]
    [InlineData("a", "A", false)]
    [InlineData("HELLO", "hello", false)]
    [InlineData("*[", "", false)]
    [InlineData("*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("*a*a*a*a*a*a*a*a*a*a*a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    public void MatchesAsRedisKeysDoes(string pattern, string text, bool expected)
        => Assert.Equal(expected, GlobPattern.IsMatch(B(pattern), B(text)));

    [Fact]
    public void StarAloneDoesNotMatchTheEmptyStringAsInStringmatchlen()
    {
        // KEYS * and SCAN without MATCH still return an empty key, through their own match-all shortcut.
        Assert.False(GlobPattern.IsMatch("*"u8, ""u8));
        Assert.True(GlobPattern.IsMatch(""u8, ""u8));
    }

    [Theory]
    [InlineData("HELLO", "hello", true)]
    [InlineData("h[A-C]llo", "hbllo", true)]
    [InlineData("h[^E]llo", "hello", false)]
    [InlineData("\u00c9", "\u00e9", false)]
    public void IgnoreCaseFoldsAsciiOnly(string pattern, string text, bool expected)
        => Assert.Equal(expected, GlobPattern.IsMatch(B(pattern), B(text), ignoreCase: true));

    [Fact]
    public void ManyStarsAgainstANonMatchingTextFinishQuickly()
    {
        // Without Redis's skip-longer-matches rule this is exponential in the number of stars.
        var pattern = B(string.Concat(Enumerable.Repeat("*a", 60)) + "*b");
        var text = B(new string('a', 2000));
        Assert.False(GlobPattern.IsMatch(pattern, text));
        Assert.True(GlobPattern.IsMatch(pattern, B(new string('a', 2000) + "b")));
    }

    [Fact]
    public void NestingBeyondTheLimitDoesNotMatchAndDoesNotOverflowTheStack()
    {
        var deep = B(string.Concat(Enumerable.Repeat("a*", GlobPattern.MaxNesting + 10)));
        var text = B(new string('a', GlobPattern.MaxNesting + 20));
        Assert.False(GlobPattern.IsMatch(deep, text));

        var shallow = B(string.Concat(Enumerable.Repeat("a*", 100)));
        Assert.True(GlobPattern.IsMatch(shallow, text));
    }
}
