using System.Text;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests;

public sealed class CommandTableTests
{
    private static readonly CommandTable Table = CommandTable.CreateDefault();

    [Fact]
    public void EveryCommandIsFoundInAnyLetterCase()
    {
        foreach (var command in Table.All)
        {
            var lower = command.Name;
            var upper = lower.ToUpperInvariant();
            var mixed = string.Concat(lower.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c));
            foreach (var spelling in new[] { lower, upper, mixed })
            {
                Assert.True(Table.TryGet(Encoding.ASCII.GetBytes(spelling), out var found), spelling);
                Assert.Same(command, found);
            }
        }
    }

    [Fact]
    public void EveryArgumentSyntaxBelongsToACommandOfTheTable()
    {
        var names = Table.All.SelectMany(c => c.Subcommands.Prepend(c)).Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.All(PepperCache.Server.Commands.CommandSyntax.Names, name => Assert.Contains(name, names));
    }

    [Fact]
    public void NoArgumentSyntaxIsWrittenForACommandRedisDocuments()
    {
        var documented = PepperCache.Server.Commands.CommandDocsData.Names.ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.All(PepperCache.Server.Commands.CommandSyntax.Names, name => Assert.DoesNotContain(name, documented));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ge")]
    [InlineData("gett")]
    [InlineData("get ")]
    [InlineData("GET\0")]
    // '@' and '`', '[' and '{' differ only in bit 5, like letter cases: the hash folds them, the comparison must not.
    [InlineData("s`t")]
    [InlineData("S@T")]
    [InlineData("g{t")]
    public void NamesThatAreNotCommandsAreNotFound(string name)
    {
        Assert.False(Table.TryGet(Encoding.Latin1.GetBytes(name), out _));
    }

    [Fact]
    public void VeryLongNamesAreNotFound()
    {
        Assert.False(Table.TryGet(new byte[100_000], out _));
        Assert.False(Table.TryGet(Encoding.ASCII.GetBytes(new string('a', 1000)), out _));
    }
}
