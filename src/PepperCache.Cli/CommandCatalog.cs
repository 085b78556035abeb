using PepperCache.Protocol;

namespace PepperCache.Cli;

/// <summary>
/// The server's commands as COMMAND DOCS describes them, for Tab completion of names and for the argument hint shown
/// as you type (redis-cli's <c>SET key value [NX|XX] [GET] ...</c>).
/// </summary>
internal sealed class CommandCatalog
{
    // Full names ("GET", "CLIENT KILL") to their argument synopsis, and the names split in words, longest first.
    private readonly Dictionary<string, string> _synopses;
    private readonly (string[] Words, string Synopsis)[] _byWords;

    private CommandCatalog(Dictionary<string, string> synopses)
    {
        _synopses = synopses;
        Names = [.. synopses.Keys.Order(StringComparer.Ordinal)];
        _byWords = [.. synopses.Select(p => (p.Key.Split(' '), p.Value)).OrderByDescending(e => e.Item1.Length)];
    }

    public static CommandCatalog Empty { get; } = new([]);

    /// <summary>Every command and subcommand name, upper case, sorted.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Reads a COMMAND DOCS reply (RESP2: name, doc, name, doc... with each doc a flat field/value list).</summary>
    public static CommandCatalog Parse(RespReply docs)
    {
        ArgumentNullException.ThrowIfNull(docs);
        var synopses = new Dictionary<string, string>(StringComparer.Ordinal);
        AddAll(docs, synopses);
        return new CommandCatalog(synopses);
    }

    /// <summary>The synopsis of a command, such as <c>key value [NX|XX]</c>; null when unknown.</summary>
    public string? SynopsisOf(string fullName) => _synopses.GetValueOrDefault(fullName.ToUpperInvariant());

    /// <summary>Names that the whole line so far could be the start of, as redis-cli completes.</summary>
    public IReadOnlyList<string> Complete(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length == 0)
        {
            return [];
        }

        return [.. Names.Where(n => n.StartsWith(line, StringComparison.OrdinalIgnoreCase))];
    }

    /// <summary>
    /// The hint after what was typed, as redis-cli gives it: the synopsis of the longest command name the words
    /// start with, less one word for each argument already typed (stopping at the first optional part), with a space
    /// in front unless the line ends in one. Null when there is nothing to show.
    /// </summary>
    public string? HintFor(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }

        foreach (var (name, synopsis) in _byWords)
        {
            if (name.Length > words.Length || !name.Select((w, i) => w.Equals(words[i], StringComparison.OrdinalIgnoreCase)).All(same => same))
            {
                continue;
            }

            var hint = synopsis.AsSpan();
            for (var typed = words.Length - name.Length; typed > 0 && hint.Length > 0 && hint[0] != '['; typed--)
            {
                var space = hint.IndexOf(' ');
                hint = space < 0 ? [] : hint[(space + 1)..];
            }

            if (hint.IsEmpty)
            {
                return null;
            }

            return char.IsWhiteSpace(line[^1]) ? hint.ToString() : " " + hint.ToString();
        }

        return null;
    }

    private static void AddAll(RespReply docs, Dictionary<string, string> synopses)
    {
        var pairs = docs.Elements;
        for (var i = 0; i + 1 < pairs.Count; i += 2)
        {
            var name = pairs[i].Text?.Replace('|', ' ').ToUpperInvariant();
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            var arguments = Field(pairs[i + 1], "arguments");
            synopses[name] = arguments is null ? "" : Synopsis(arguments.Elements, " ");
            if (Field(pairs[i + 1], "subcommands") is { } subcommands)
            {
                AddAll(subcommands, synopses);
            }
        }
    }

    private static string Synopsis(IReadOnlyList<RespReply> arguments, string separator) =>
        string.Join(separator, arguments.Select(Describe));

    // One argument as Redis's documentation writes it: [optional], a|b for one-of, TOKEN value, "x [x ...]".
    private static string Describe(RespReply argument)
    {
        var type = Field(argument, "type")?.Text;
        var token = Field(argument, "token")?.Text;
        var flags = Field(argument, "flags")?.Elements.Select(f => f.Text).ToHashSet() ?? [];
        var children = Field(argument, "arguments")?.Elements ?? [];
        var bare = type switch
        {
            "pure-token" => token ?? "",
            "oneof" => Synopsis(children, "|"),
            "block" => Synopsis(children, " "),
            _ => Field(argument, "display_text")?.Text ?? Field(argument, "name")?.Text ?? "",
        };
        var single = token is not null && type != "pure-token" ? $"{token} {bare}" : bare;
        var text = !flags.Contains("multiple") ? single
            : flags.Contains("multiple_token") ? $"{single} [{single} ...]"
            : $"{single} [{bare} ...]";
        return flags.Contains("optional") ? $"[{text}]" : text.ToString();
    }

    private static RespReply? Field(RespReply map, string name)
    {
        var fields = map.Elements;
        for (var i = 0; i + 1 < fields.Count; i += 2)
        {
            if (fields[i].Text == name)
            {
                return fields[i + 1];
            }
        }

        return null;
    }
}
