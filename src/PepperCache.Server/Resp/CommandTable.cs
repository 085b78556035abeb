using System.Diagnostics.CodeAnalysis;
using System.Text;
using PepperCache.Server.Commands;

namespace PepperCache.Server.Resp;

/// <summary>The commands this node knows, looked up by name bytes, ASCII case-insensitively, without allocating.</summary>
internal sealed class CommandTable
{
    private const int MaxNameLength = 64;

    private readonly Dictionary<string, CommandDefinition> _byName;
    private readonly Dictionary<string, CommandDefinition>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CommandTable(IEnumerable<CommandDefinition> definitions)
    {
        _byName = new Dictionary<string, CommandDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var definition in definitions)
        {
            _byName.Add(definition.Name, definition);
        }

        _lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every command family PepperCache implements.</summary>
    public static CommandTable CreateDefault() => new(
    [
        .. ConnectionCommands.Definitions,
        .. ServerCommands.Definitions,
        .. StringCommands.Definitions,
        .. KeyCommands.Definitions,
    ]);

    public int Count => _byName.Count;

    public IEnumerable<CommandDefinition> All => _byName.Values;

    public bool TryGet(ReadOnlySpan<byte> name, [MaybeNullWhen(false)] out CommandDefinition definition)
    {
        if (name.Length > MaxNameLength)
        {
            definition = null;
            return false;
        }

        Span<char> chars = stackalloc char[name.Length];
        Encoding.Latin1.GetChars(name, chars);
        return _lookup.TryGetValue(chars, out definition);
    }

    public bool TryGet(string name, [MaybeNullWhen(false)] out CommandDefinition definition) =>
        _byName.TryGetValue(name, out definition);
}
