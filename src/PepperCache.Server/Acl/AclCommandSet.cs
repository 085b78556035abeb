using PepperCache.Server.Resp;

namespace PepperCache.Server.Acl;

/// <summary>One command or subcommand as ACL rules see it: its definition, its categories, and its subcommands.</summary>
internal sealed class AclCommand(CommandDefinition definition, AclCommand? parent)
{
    public CommandDefinition Definition { get; } = definition;

    public AclCommand? Parent { get; } = parent;

    /// <summary>Full name, as ACL rules and NOPERM errors spell it: <c>get</c>, <c>config|get</c>.</summary>
    public string Name => Definition.Name;

    public int Id => Definition.Id;

    /// <summary>Bit mask over <see cref="AclCategories.Names"/>.</summary>
    public ulong Categories { get; } = AclCategories.Of(definition);

    public List<AclCommand> Subcommands { get; } = [];
}

/// <summary>
/// The commands ACL rules are written against: every command of the node's table and its subcommands, in the
/// table's order (the order ACL CAT lists them and the ACL LIST description names them), looked up by full name.
/// </summary>
internal sealed class AclCommandSet
{
    private readonly Dictionary<string, AclCommand> _byName = new(StringComparer.OrdinalIgnoreCase);

    public AclCommandSet(CommandTable table)
    {
        foreach (var definition in table.All)
        {
            var command = new AclCommand(definition, null);
            foreach (var sub in definition.Subcommands)
            {
                command.Subcommands.Add(new AclCommand(sub, command));
            }

            Commands.Add(command);
            _byName[definition.Name] = command;
        }

        // Ids are unique in the process; bitmaps must reach the largest one here (and any taken since, see AclRules).
        BitCount = CommandDefinition.IdCount;
    }

    /// <summary>Top-level commands in table order, each with its subcommands.</summary>
    public List<AclCommand> Commands { get; } = [];

    /// <summary>Bits a permission bitmap needs for every command here.</summary>
    public int BitCount { get; }

    /// <summary>Every command, each followed by its subcommands.</summary>
    public IEnumerable<AclCommand> All => Commands.SelectMany(c => c.Subcommands.Prepend(c));

    /// <summary>
    /// A command by the name an ACL rule gives it, as Redis's lookupCommandBySds: <c>get</c>, or <c>config|get</c>
    /// for a subcommand of a command that has them; anything else (<c>get|x</c>, <c>a|b|c</c>) is no command.
    /// </summary>
    public AclCommand? Find(string name)
    {
        var bar = name.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return _byName.GetValueOrDefault(name);
        }

        if (name.IndexOf('|', bar + 1) >= 0 || !_byName.TryGetValue(name[..bar], out var parent))
        {
            return null;
        }

        return parent.Subcommands.Find(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The entry for <paramref name="definition"/>, or null when it is not in this set.</summary>
    public AclCommand? Of(CommandDefinition definition) => Find(definition.Name);
}
