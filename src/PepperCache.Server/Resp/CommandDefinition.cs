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

    public bool IsWrite => (Flags & CommandFlags.Write) != 0;

    public bool HasKeys => FirstKey > 0;

    public bool AcceptsArgumentCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;
}
