using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Text;
using PepperCache.Server.Commands;

namespace PepperCache.Server.Resp;

/// <summary>The commands this node knows, looked up by name bytes, ASCII case-insensitively, without allocating.</summary>
internal sealed class CommandTable
{
    private readonly Dictionary<string, CommandDefinition> _byName;

    // The per-command lookup: open addressing over the names' bytes with an ASCII case-folding hash, so a name
    // straight off the wire is found without widening it to chars or hashing it the way string comparers do.
    private readonly Slot[] _slots;
    private readonly int _mask;

    public CommandTable(IEnumerable<CommandDefinition> definitions)
    {
        _byName = new Dictionary<string, CommandDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var definition in definitions)
        {
            _byName.Add(definition.Name, definition);
        }

        // At most a quarter full, so probes stay short.
        _slots = new Slot[(int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, _byName.Count * 4))];
        _mask = _slots.Length - 1;
        foreach (var definition in _byName.Values)
        {
            var name = Encoding.ASCII.GetBytes(definition.Name);
            var i = FoldedHash(name) & _mask;
            while (_slots[i].Name is not null)
            {
                i = (i + 1) & _mask;
            }

            _slots[i] = new Slot(name, definition);
        }
    }

    /// <summary>Every command family PepperCache implements.</summary>
    public static CommandTable CreateDefault() => new(
    [
        .. ConnectionCommands.Definitions,
        .. ServerCommands.Definitions,
        .. StringCommands.Definitions,
        .. KeyCommands.Definitions,
        .. HashCommands.Definitions,
        .. BitmapCommands.Definitions,
        .. HyperLogLogCommands.Definitions,
        .. SetCommands.Definitions,
        .. SortedSetCommands.Definitions,
        .. GeoCommands.Definitions,
        .. ListCommands.Definitions,
        .. SortCommands.Definitions,
        ObjectCommands.Definition,
        MemoryCommands.Definition,
        .. ClusterCommands.Definitions,
        .. MigrationCommands.Definitions,
        .. ClusterPeerCommands.Definitions,
        .. DatabaseCommands.Definitions,
        WaitCommand.Definition,
        MigrateCommand.Definition,
        DebugCommand.Definition,
        LolwutCommand.Definition,
    ]);

    public int Count => _byName.Count;

    public IEnumerable<CommandDefinition> All => _byName.Values;

    public bool TryGet(ReadOnlySpan<byte> name, [MaybeNullWhen(false)] out CommandDefinition definition)
    {
        var slots = _slots;
        for (var i = FoldedHash(name) & _mask; slots[i].Name is { } candidate; i = (i + 1) & _mask)
        {
            if (Ascii.EqualsIgnoreCase(name, candidate))
            {
                definition = slots[i].Definition!;
                return true;
            }
        }

        definition = null;
        return false;
    }

    public bool TryGet(string name, [MaybeNullWhen(false)] out CommandDefinition definition) =>
        _byName.TryGetValue(name, out definition);

    /// <summary>FNV-1a over the bytes with bit 5 set: the same for either case of an ASCII letter.</summary>
    private static int FoldedHash(ReadOnlySpan<byte> name)
    {
        var hash = 2166136261u;
        foreach (var b in name)
        {
            hash = (hash ^ (uint)(b | 0x20)) * 16777619u;
        }

        return (int)(hash ^ (hash >> 15));
    }

    private readonly record struct Slot(byte[]? Name, CommandDefinition? Definition);
}
