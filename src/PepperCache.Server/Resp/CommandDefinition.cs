namespace PepperCache.Server.Resp;

/// <summary>A command handler. Runs on the connection's thread; must not block.</summary>
internal delegate void CommandHandler(CommandContext context);

/// <summary>
/// Everything PepperCache knows about one command, in one place: arity errors, key positions (for cluster
/// routing), AOF logging of <see cref="CommandFlags.Write"/> commands and COMMAND output all come from here.
/// </summary>
/// <param name="Name">Lower-case name, as COMMAND reports it.</param>
/// <param name="Arity">Redis arity: N means exactly N arguments (name included); -N means at least N.</param>
/// <param name="FirstKey">Index of the first key argument, 0 when the command takes no key.</param>
/// <param name="LastKey">Index of the last key argument; -1 means the last argument.</param>
/// <param name="Step">Distance between key arguments (2 for MSET's key/value pairs).</param>
/// <param name="Group">Redis documentation group (string, generic, connection, server).</param>
/// <param name="Summary">One line for COMMAND DOCS and the CLI's hints.</param>
/// <param name="Since">Redis version that introduced the command, for COMMAND DOCS.</param>
internal sealed record CommandDefinition(
    string Name,
    int Arity,
    CommandFlags Flags,
    int FirstKey,
    int LastKey,
    int Step,
    CommandHandler Handler,
    string Group,
    string Summary,
    string Since = "1.0.0")
{
    /// <summary>Subcommands (CONFIG GET, CLIENT SETNAME...), reported by COMMAND; dispatch stays in the parent's handler.</summary>
    public IReadOnlyList<CommandDefinition> Subcommands { get; init; } = [];

    /// <summary>ACL categories beyond those the flags and group imply (<c>dangerous</c>, <c>keyspace</c>...), for COMMAND.</summary>
    public IReadOnlyList<string> AclCategories { get; init; } = [];

    /// <summary>
    /// A number unique in the process, taken when the definition is built: the command's bit in ACL permission
    /// bitmaps, so a permission check is one bit test with no lookup by name.
    /// </summary>
    public int Id { get; } = Interlocked.Increment(ref _lastId);

    /// <summary>
    /// What the command does with its (first) key, as Redis's key specs say; ACL <c>%R~</c>/<c>%W~</c> patterns are
    /// checked against it. By default read-only commands read and write commands write.
    /// </summary>
    public KeyAccess KeyAccess { get; init; } = (Flags & CommandFlags.ReadOnly) != 0 ? KeyAccess.Read : (Flags & CommandFlags.Write) != 0 ? KeyAccess.Write : KeyAccess.None;

    /// <summary>For the keys after the first when they differ from it (RENAME's destination is only written).</summary>
    public KeyAccess? LaterKeyAccess { get; init; }

    /// <summary>Set when the access depends on the arguments (SET ... GET reads the value it replaces).</summary>
    public KeyAccessResolver? VariableKeyAccess { get; init; }

    /// <summary>How many ids definitions have taken so far: every <see cref="Id"/> is below it.</summary>
    public static int IdCount => Volatile.Read(ref _lastId) + 1;

    private static int _lastId = -1;

    public bool IsWrite => (Flags & CommandFlags.Write) != 0;

    /// <summary>
    /// Redis's CMD_MAY_REPLICATE: a read-only command that can still change a value (PFCOUNT caches the count it
    /// computed in the HLL's header), so it runs under the AOF as a write does and logs itself when it changed one.
    /// </summary>
    public bool MayReplicate { get; init; }

    public bool HasKeys => FirstKey > 0;

    public bool AcceptsArgumentCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;
}
