using System.Text.RegularExpressions;

namespace PepperCache.Server.Commands;

/// <summary>
/// One argument in COMMAND DOCS: a typed value, a pure token, or a group (a "block" of several arguments, or a
/// "oneof" choice), with the optional/multiple flags. redis-cli builds its inline hints from this tree.
/// </summary>
internal sealed record CommandArgument(
    string Name,
    string Type,
    string? Token,
    bool Optional,
    bool Multiple,
    IReadOnlyList<CommandArgument> Arguments)
{
    private static readonly string[] ValueTypes = ["string", "integer", "double", "key", "pattern", "unix-time"];

    private static readonly string[] KeyNames = ["key", "newkey", "source", "destination"];

    /// <summary>
    /// Parses the usage grammar the syntax catalogue is written in, close to Redis's own docs:
    /// <c>name</c> or <c>name:type</c> is a value (names of keys are typed key, others string); an UPPER word is a
    /// token, which labels the value or group right after it (<c>EX seconds:integer</c>); <c>[...]</c> is optional,
    /// <c>(...)</c> groups, <c>a|b</c> chooses, and a trailing <c>...</c> repeats the item before it. A group is
    /// named by a <c>name=</c> prefix (<c>condition=[NX|XX]</c>), otherwise after what it holds.
    /// </summary>
    public static IReadOnlyList<CommandArgument> Parse(string syntax)
    {
        var tokens = Regex.Matches(syntax, @"\.\.\.|[\[\]()|]|[^\s\[\]()|]+").Select(m => m.Value).ToList();
        var position = 0;
        var arguments = ParseSequence(tokens, ref position);
        if (position != tokens.Count)
        {
            throw new FormatException($"Unexpected '{tokens[position]}' in command syntax '{syntax}'");
        }

        return arguments;
    }

    private static List<CommandArgument> ParseSequence(List<string> tokens, ref int position)
    {
        var items = new List<CommandArgument>();
        while (position < tokens.Count && tokens[position] is not ("]" or ")" or "|"))
        {
            items.Add(ParseItem(tokens, ref position));
        }

        return items;
    }

    private static CommandArgument ParseItem(List<string> tokens, ref int position)
    {
        var word = tokens[position++];
        CommandArgument item;
        if (word.EndsWith('=') && position < tokens.Count && tokens[position] is "[" or "(")
        {
            item = ParseItem(tokens, ref position) with { Name = word[..^1] };
        }
        else if (word is "[" or "(")
        {
            item = ParseGroup(tokens, ref position, word == "[" ? "]" : ")") with { Optional = word == "[" };
        }
        else if (IsToken(word))
        {
            var next = position < tokens.Count ? tokens[position] : null;
            if (next is "(" || (next is not null && IsName(next)))
            {
                item = ParseItem(tokens, ref position) with { Token = word };
            }
            else
            {
                item = new(word.ToLowerInvariant(), "pure-token", word, false, false, []);
            }
        }
        else
        {
            var colon = word.LastIndexOf(':');
            var (name, type) = colon > 0 && ValueTypes.Contains(word[(colon + 1)..])
                ? (word[..colon], word[(colon + 1)..])
                : (word, KeyNames.Contains(word) ? "key" : "string");
            item = new(name, type, null, false, false, []);
        }

        if (position < tokens.Count && tokens[position] == "...")
        {
            position++;
            item = item with { Multiple = true };
        }

        return item;
    }

    /// <summary>A bracketed group: one item stays itself, a sequence becomes a block, alternatives a oneof.</summary>
    private static CommandArgument ParseGroup(List<string> tokens, ref int position, string closer)
    {
        var alternatives = new List<List<CommandArgument>> { ParseSequence(tokens, ref position) };
        while (position < tokens.Count && tokens[position] == "|")
        {
            position++;
            alternatives.Add(ParseSequence(tokens, ref position));
        }

        if (position >= tokens.Count || tokens[position] != closer)
        {
            throw new FormatException($"Missing '{closer}' in command syntax");
        }

        position++;
        if (alternatives.Count == 1)
        {
            return alternatives[0].Count == 1 ? alternatives[0][0] : Block(alternatives[0]);
        }

        var choices = alternatives.Select(a => a.Count == 1 ? a[0] : Block(a)).ToList();
        return new(string.Join('-', choices.Select(c => c.Name)), "oneof", null, false, false, choices);
    }

    private static CommandArgument Block(List<CommandArgument> items) =>
        new(string.Join('-', items.Select(i => i.Name)), "block", null, false, false, items);

    private static bool IsToken(string word) => word.Any(char.IsAsciiLetterUpper) && !word.Any(char.IsAsciiLetterLower);

    private static bool IsName(string word) => word.Any(char.IsAsciiLetterLower) && !word.Any(char.IsAsciiLetterUpper);
}
