namespace PepperCache.Server.Commands;

/// <summary>
/// The arguments of the commands Redis 7.0 does not document (PepperCache's own, and CLIENT SETINFO from 7.2), in the
/// grammar of <see cref="CommandArgument.Parse"/>; Redis's commands take theirs from <see cref="CommandDocsData"/>.
/// Every entry names a command or subcommand of the table and none a command Redis documents (CommandTableTests
/// checks both). Full names for subcommands ("config|get").
/// </summary>
internal static class CommandSyntax
{
    private static readonly Dictionary<string, string> Syntax = new(StringComparer.OrdinalIgnoreCase)
    {
        ["client|setinfo"] = "attr=(LIB-NAME libname|LIB-VER libver)",
        ["pepper.auth"] = "secret",
        ["pepper.import"] = "slot:integer mode=(RESET|APPEND) [data=(expires-at-ms key value) ...]",
    };

    private static readonly Dictionary<string, IReadOnlyList<CommandArgument>> Parsed =
        Syntax.ToDictionary(e => e.Key, e => CommandArgument.Parse(e.Value), StringComparer.OrdinalIgnoreCase);

    /// <summary>The arguments of <paramref name="fullName"/>; empty for a command that takes none or is not listed.</summary>
    public static IReadOnlyList<CommandArgument> ArgumentsOf(string fullName) =>
        CommandDocsData.TryGetArguments(fullName, out var arguments) ? arguments : Parsed.GetValueOrDefault(fullName) ?? [];

    /// <summary>The commands that have an entry here.</summary>
    internal static IEnumerable<string> Names => Syntax.Keys;
}
