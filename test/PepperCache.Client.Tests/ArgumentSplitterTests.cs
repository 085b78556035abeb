using System.Text;
using PepperCache.Cli;

namespace PepperCache.Client.Tests;

public sealed class ArgumentSplitterTests
{
    [Theory]
    [InlineData("get a", new[] { "get", "a" })]
    [InlineData("  set   b\t12  ", new[] { "set", "b", "12" })]
    [InlineData("", new string[0])]
    [InlineData("   ", new string[0])]
    [InlineData("set k \"hello world\"", new[] { "set", "k", "hello world" })]
    [InlineData("set k 'hello world'", new[] { "set", "k", "hello world" })]
    [InlineData("set k \"a\\nb\\r\\t\\\"\\\\c\"", new[] { "set", "k", "a\nb\r\t\"\\c" })]
    [InlineData("set k 'it\\'s'", new[] { "set", "k", "it's" })]
    [InlineData("set k 'a\\nb'", new[] { "set", "k", "a\\nb" })]
    [InlineData("set k \"\"", new[] { "set", "k", "" })]
    [InlineData("set k \"\\x41\\x4a\"", new[] { "set", "k", "AJ" })]
    [InlineData("set k \"\\xZZ\"", new[] { "set", "k", "xZZ" })]
    [InlineData("set k a\"b\" c", new[] { "set", "k", "ab", "c" })]
    public void Lines_split_like_redis_cli(string line, string[] expected)
    {
        var arguments = ArgumentSplitter.Split(line);

        Assert.NotNull(arguments);
        Assert.Equal(expected, arguments.Select(a => Encoding.Latin1.GetString(a)));
    }

    [Fact]
    public void Hex_escapes_give_any_byte_including_nul()
    {
        var arguments = ArgumentSplitter.Split("set k \"a\\x00b\\xff\"");

        Assert.NotNull(arguments);
        Assert.Equal(new byte[] { (byte)'a', 0, (byte)'b', 0xff }, arguments[2]);
    }

    [Fact]
    public void Text_outside_ascii_is_sent_as_utf8()
    {
        var arguments = ArgumentSplitter.Split("set k café");

        Assert.NotNull(arguments);
        Assert.Equal("café"u8.ToArray(), arguments[2]);
    }

    [Theory]
    [InlineData("set k \"unclosed")]
    [InlineData("set k 'unclosed")]
    [InlineData("set k \"closed\"x")]
    [InlineData("set k 'closed'x")]
    [InlineData("set k a\"b\"c")]
    public void Unbalanced_quotes_are_refused(string line) => Assert.Null(ArgumentSplitter.Split(line));
}
