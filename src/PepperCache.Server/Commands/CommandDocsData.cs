using System.Collections.Frozen;
using System.Text.Json;

namespace PepperCache.Server.Commands;

/// <summary>
/// Redis 7.0.15's COMMAND DOCS (summary, complexity, history, argument trees) of every Redis command, read from
/// <c>CommandDocs.json</c> (written by <c>eng/command-docs.py</c> from a redis-server). The docs are Redis's data, so
/// they are served as Redis wrote them rather than retyped; commands Redis does not have are documented by their
/// declaration and <see cref="CommandSyntax"/>. Loaded on first use: only COMMAND DOCS and the fuzzers read it.
/// </summary>
internal static class CommandDocsData
{
    private static readonly Lazy<FrozenDictionary<string, JsonElement>> Docs = new(Load);

    private static readonly Lazy<FrozenDictionary<string, IReadOnlyList<CommandArgument>>> Arguments = new(() =>
        Docs.Value.ToFrozenDictionary(e => e.Key, e => ArgumentsOf(e.Value), StringComparer.OrdinalIgnoreCase));

    /// <summary>The doc of <paramref name="fullName"/> ("get", "client|list") as Redis 7.0 answers it.</summary>
    public static bool TryGet(string fullName, out JsonElement doc) => Docs.Value.TryGetValue(fullName, out doc);

    /// <summary>The argument tree of a Redis command, for the fuzzers; empty when Redis lists none.</summary>
    public static bool TryGetArguments(string fullName, out IReadOnlyList<CommandArgument> arguments) =>
        Arguments.Value.TryGetValue(fullName, out arguments!);

    /// <summary>Every documented name, subcommands by their full name.</summary>
    internal static IEnumerable<string> Names => Docs.Value.Keys;

    private static FrozenDictionary<string, JsonElement> Load()
    {
        using var stream = typeof(CommandDocsData).Assembly.GetManifestResourceStream("PepperCache.Server.CommandDocs.json")
            ?? throw new InvalidOperationException("CommandDocs.json is not embedded in the server assembly");
        using var json = JsonDocument.Parse(stream);
        var docs = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var command in json.RootElement.EnumerateObject())
        {
            docs[command.Name] = command.Value.Clone();
            if (command.Value.TryGetProperty("subcommands", out var subcommands))
            {
                foreach (var subcommand in subcommands.EnumerateObject())
                {
                    docs[subcommand.Name] = subcommand.Value.Clone();
                }
            }
        }

        return docs.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static IReadOnlyList<CommandArgument> ArgumentsOf(JsonElement node) =>
        node.TryGetProperty("arguments", out var arguments) ? [.. arguments.EnumerateArray().Select(ArgumentOf)] : [];

    private static CommandArgument ArgumentOf(JsonElement argument)
    {
        var flags = argument.TryGetProperty("flags", out var list) ? list.EnumerateArray().Select(f => f.GetString()).ToList() : [];
        return new CommandArgument(
            argument.GetProperty("name").GetString()!,
            argument.GetProperty("type").GetString()!,
            argument.TryGetProperty("token", out var token) ? token.GetString() : null,
            flags.Contains("optional"),
            flags.Contains("multiple"),
            ArgumentsOf(argument));
    }
}
