namespace PepperCache.Server.Resp;

/// <summary>A command handler. Runs on the connection's thread; must not block.</summary>
internal delegate void CommandHandler(CommandContext context);

/// <summary>Whether a call can only free memory (see <see cref="CommandDefinition.FreesMemory"/>).</summary>
internal delegate bool CallFreesMemory(CommandContext context);

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

    /// <summary>False where Redis gives the command no category for its group (SORT is generic but not <c>@keyspace</c>).</summary>
    public bool TakesGroupCategory { get; init; } = true;

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

    /// <summary>
    /// Redis's key-spec flags for the key range (<c>OW update</c> for MSET, <c>RM delete</c> for DEL), when they say
    /// more than <see cref="KeyAccess"/>; ACL then reads the access from them, so they are the one truth.
    /// </summary>
    public IReadOnlyList<string>? KeyFlags { get; init; }

    /// <summary>As <see cref="KeyFlags"/>, for the keys after the first (RENAME's destination: <c>OW update</c>).</summary>
    public IReadOnlyList<string>? LaterKeyFlags { get; init; }

    /// <summary>
    /// Redis's CMD_PROTECTED (DEBUG): refused by its handler before authentication, ACL and CLIENT PAUSE, which let it
    /// through, as Redis refuses it right after the arity check. Read only on those slow paths.
    /// </summary>
    public bool Protected { get; init; }

    /// <summary>Redis's command tips for COMMAND INFO (<c>nondeterministic_output</c>, <c>request_policy:all_shards</c>...).</summary>
    public IReadOnlyList<string>? Tips { get; init; }

    /// <summary>Set when the access depends on the arguments (SET ... GET reads the value it replaces).</summary>
    public KeyAccessResolver? VariableKeyAccess { get; init; }

    /// <summary>
    /// For a <see cref="CommandFlags.DenyOom"/> command, the calls that can only free memory (PEPPER.IMPORT's RESET
    /// with no keys, of a slot the node holds something of, only drops it): over maxmemory they are let through as a
    /// command without denyoom is. Asked only on a node over its limit, so ordinary commands never pay for it.
    /// </summary>
    public CallFreesMemory? FreesMemory { get; init; }

    /// <summary>
    /// Where the keys are and what is done with them (<see cref="KeySpec"/>): everything that looks for keys reads
    /// these. By default one range from <see cref="FirstKey"/>, <see cref="LastKey"/> and <see cref="Step"/> with
    /// <see cref="KeyAccess"/> (two when <see cref="LaterKeyAccess"/> differs); commands whose keys move with their
    /// arguments (numkeys, a keyword) declare their own, and their FirstKey/LastKey/Step are then only what Redis's
    /// COMMAND INFO reports.
    /// </summary>
    public KeySpec[] KeySpecs
    {
        get => _keySpecs ??= DefaultKeySpecs();
        init => _keySpecs = value;
    }

    private KeySpec[]? _keySpecs;

    /// <summary>Whether key positions depend on the arguments: Redis's <c>movablekeys</c> flag.</summary>
    public bool HasMovableKeys => Array.Exists(KeySpecs, spec => spec.IsMovable);

    /// <summary>How many ids definitions have taken so far: every <see cref="Id"/> is below it.</summary>
    public static int IdCount => Volatile.Read(ref _lastId) + 1;

    private static int _lastId = -1;

    public bool IsWrite => (Flags & CommandFlags.Write) != 0;

    /// <summary>
    /// Redis's CMD_MAY_REPLICATE: a read-only command that can still change a value (PFCOUNT caches the count it
    /// computed in the HLL's header), so it runs under the AOF as a write does and logs itself when it changed one.
    /// </summary>
    public bool MayReplicate { get; init; }

    public bool HasKeys => KeySpecs.Length > 0;

    /// <summary>The keys of a call with <paramref name="arguments"/> (argument 0 the command's name).</summary>
    public KeyPositions Keys(ArgumentView arguments) => new(this, arguments);

    private KeySpec[] DefaultKeySpecs()
    {
        if (FirstKey <= 0)
        {
            return [];
        }

        var lastKey = LastKey < 0 ? LastKey : LastKey - FirstKey;
        var first = KeyFlags ?? KeySpec.DefaultFlags(KeyAccess, IsWrite);
        if ((LaterKeyAccess is null && LaterKeyFlags is null) || lastKey == 0)
        {
            return [KeySpec.Range(FirstKey, lastKey, Step, KeyAccess, [.. first])];
        }

        var later = LaterKeyFlags ?? KeySpec.DefaultFlags(LaterKeyAccess ?? KeyAccess, IsWrite);
        return
        [
            KeySpec.Range(FirstKey, 0, 1, KeyAccess, [.. first]),
            KeySpec.Range(FirstKey + Step, LastKey < 0 ? LastKey : lastKey - Step, Step, LaterKeyAccess ?? KeyAccess, [.. later]),
        ];
    }

    public bool AcceptsArgumentCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;
}
