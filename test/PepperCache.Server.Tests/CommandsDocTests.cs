using System.Text.RegularExpressions;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests;

/// <summary>docs/commands.md lists exactly the commands of the command table, with the table's arity.</summary>
public sealed partial class CommandsDocTests
{
    [Fact]
    public void CommandsPageListsEveryCommandWithItsArity()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "commands.md"));
        var documented = RowPattern().Matches(page)
            .ToDictionary(m => m.Groups["name"].Value.ToLowerInvariant(), m => int.Parse(m.Groups["arity"].Value, System.Globalization.CultureInfo.InvariantCulture));
        var table = CommandTable.CreateDefault().All.ToDictionary(c => c.Name, c => c.Arity);

        Assert.Equal(table.Keys.Order(), documented.Keys.Order());
        foreach (var (name, arity) in table)
        {
            Assert.True(documented[name] == arity, $"docs/commands.md gives {name} arity {documented[name]}, the table {arity}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PepperCache.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PepperCache.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| (?<name>[A-Z._]+) \| (?<arity>-?\d+) \|", RegexOptions.Multiline)]
    private static partial Regex RowPattern();
}
