using System.Globalization;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// CLIENT and its subcommands: ID, GETNAME, SETNAME, SETINFO, INFO, LIST, KILL, UNBLOCK, HELP; PAUSE, UNPAUSE, REPLY
/// and NO-EVICT in <c>ClientCommands.Modes.cs</c>.
/// </summary>
internal static partial class ClientCommands
{
    private static readonly string[] HelpLines =
    [
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "    * ID <client-id> [<client-id> ...]",
        "      Return clients of specified IDs only.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
    ];

    private static readonly string[] ClientTypes = ["normal", "master", "replica", "slave", "pubsub"];

    public static CommandDefinition Definition { get; } = new(
        "client", -2, None, 0, 0, 0, Subcommands.Dispatch, "connection", "A container for client connection commands.", "2.4.0")
    {
        Subcommands =
        [
            Sub("client|id", 2, NoScript | Loading | Stale, Id, "Returns the unique client ID of the connection.", "5.0.0"),
            Sub("client|getname", 2, NoScript | Loading | Stale, GetName, "Returns the name of the connection.", "2.6.9"),
            Sub("client|setname", 3, NoScript | Loading | Stale, SetName, "Sets the connection name.", "2.6.9"),
            Sub("client|setinfo", 4, NoScript | Loading | Stale, SetInfo, "Sets information specific to the client or connection.", "7.2.0"),
            Sub("client|info", 2, NoScript | Loading | Stale | CommandFlags.Random, Info, "Returns information about the connection.", "6.2.0"),
            Sub("client|list", -2, Admin | NoScript | Loading | Stale | CommandFlags.Random, List, "Lists open connections.", "2.4.0"),
            Sub("client|kill", -3, Admin | NoScript | Loading | Stale, Kill, "Terminates open connections.", "2.4.0"),
            Sub("client|unblock", -3, Admin | NoScript | Loading | Stale, Unblock, "Unblocks a client blocked by a blocking command from a different connection.", "5.0.0"),
            Sub("client|pause", -3, Admin | NoScript | Loading | Stale, Pause, "Suspends commands processing.", "2.9.50"),
            Sub("client|unpause", 2, Admin | NoScript | Loading | Stale, Unpause, "Resumes processing of clients that were paused.", "6.2.0"),
            Sub("client|reply", 3, NoScript | Loading | Stale, Reply, "Instructs the server whether to reply to commands.", "3.2.0"),
            Sub("client|no-evict", 3, Admin | NoScript | Loading | Stale, NoEvict, "Sets the client eviction mode of the connection.", "7.0.0"),
            Sub("client|help", 2, Loading | Stale, Help, "Returns helpful text about the different subcommands.", "5.0.0"),
        ],
    };

    /// <summary>Names (and library attributes) must be printable ASCII without spaces, so CLIENT LIST stays parseable.</summary>
    public static bool IsValidName(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (b is < (byte)'!' or > (byte)'~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sets the name; an empty one clears it.</summary>
    public static void SetName(ClientSession client, ReadOnlySpan<byte> name) =>
        client.Name = name.IsEmpty ? null : Encoding.ASCII.GetString(name);

    private static CommandDefinition Sub(string name, int arity, CommandFlags flags, CommandHandler handler, string summary, string since) =>
        new(name, arity, flags, 0, 0, 0, handler, "connection", summary, since);

    private static void Id(CommandContext context) => context.Output.WriteInteger(context.Client.Id);

    private static void GetName(CommandContext context)
    {
        if (context.Client.Name is { } name)
        {
            context.Output.WriteBulkString(name);
        }
        else
        {
            context.Output.WriteNull(context.Resp3);
        }
    }

    private static void SetName(CommandContext context)
    {
        if (!IsValidName(context.Argument(2)))
        {
            context.WriteError(ErrorMessages.InvalidClientName);
            return;
        }

        SetName(context.Client, context.Argument(2));
        context.Output.WriteOk();
    }

    /// <summary>CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2): what a client library reports about itself.</summary>
    private static void SetInfo(CommandContext context)
    {
        var isName = context.ArgumentIs(2, "LIB-NAME"u8);
        if (!isName && !context.ArgumentIs(2, "LIB-VER"u8))
        {
            context.WriteError(ErrorMessages.UnrecognizedClientOption(context.Request.GetString(2)));
            return;
        }

        var value = context.Argument(3);
        if (!IsValidName(value))
        {
            context.WriteError(ErrorMessages.InvalidClientAttribute(context.Request.GetString(2)));
            return;
        }

        var text = value.IsEmpty ? null : Encoding.ASCII.GetString(value);
        if (isName)
        {
            context.Client.LibraryName = text;
        }
        else
        {
            context.Client.LibraryVersion = text;
        }

        context.Output.WriteOk();
    }

    private static void Info(CommandContext context)
    {
        var line = new StringBuilder();
        Describe(line, context.Client, context.Store.Now, context.Request);
        context.Output.WriteVerbatim(line.ToString(), context.Resp3);
    }

    /// <summary>CLIENT LIST [TYPE type | ID id [id ...]]: one option form at a time, as Redis 7.0 parses it.</summary>
    private static void List(CommandContext context)
    {
        HashSet<long>? ids = null;
        var includeAll = true;
        if (context.ArgumentCount == 4 && context.ArgumentIs(2, "TYPE"u8))
        {
            var type = context.Request.GetString(3);
            if (!ClientTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
            {
                context.WriteError(ErrorMessages.UnknownClientType(type));
                return;
            }

            // Every connection is a normal client: no replicas, no pub/sub yet.
            includeAll = type.Equals("normal", StringComparison.OrdinalIgnoreCase);
        }
        else if (context.ArgumentCount > 3 && context.ArgumentIs(2, "ID"u8))
        {
            ids = [];
            for (var i = 3; i < context.ArgumentCount; i++)
            {
                if (!context.TryGetInt64(i, out var id))
                {
                    context.WriteError(ErrorMessages.InvalidClientId);
                    return;
                }

                ids.Add(id);
            }
        }
        else if (context.ArgumentCount != 2)
        {
            context.WriteSyntaxError();
            return;
        }

        var text = new StringBuilder();
        if (includeAll)
        {
            var now = context.Store.Now;
            foreach (var client in context.Server.Clients.Clients)
            {
                if (ids is null || ids.Contains(client.Id))
                {
                    Describe(text, client, now, client == context.Client ? context.Request : null);
                }
            }
        }

        context.Output.WriteVerbatim(text.ToString(), context.Resp3);
    }

    /// <summary>
    /// CLIENT KILL addr (old form: OK or "No such client", may kill itself) or CLIENT KILL filter value ... (new
    /// form: the number killed, skipping the caller unless SKIPME no).
    /// </summary>
    /// <summary>
    /// CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id, as Redis does; 1 when the client was
    /// blocked (it then answers as on a timeout, or with the UNBLOCKED error), 0 otherwise.
    /// </summary>
    private static void Unblock(CommandContext context)
    {
        if (context.ArgumentCount > 4)
        {
            // Redis 7.0's CLIENT takes UNBLOCK with two or three arguments only and calls anything else unknown.
            WriteUnknownSubcommand(context);
            return;
        }

        var outcome = BlockOutcome.TimedOut;
        if (context.ArgumentCount == 4)
        {
            if (context.ArgumentIs(3, "ERROR"u8))
            {
                outcome = BlockOutcome.Error;
            }
            else if (!context.ArgumentIs(3, "TIMEOUT"u8))
            {
                context.WriteError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }

        if (!context.TryGetInt64OrReply(2, out var id))
        {
            return;
        }

        var unblocked = false;
        foreach (var session in context.Server.Clients.Sessions)
        {
            if (session.Id == id && session.Blocking is { } blocked)
            {
                unblocked = context.Server.Blocking.Unblock(blocked, outcome);
                break;
            }
        }

        context.Output.WriteRaw(unblocked ? RespConstants.One : RespConstants.Zero);
    }

    private static void Kill(CommandContext context)
    {
        string? addr = null;
        string? laddr = null;
        Acl.AclUser? user = null;
        long id = 0;
        var skipMe = true;
        var matchesNone = false;
        var oldForm = context.ArgumentCount == 3;
        if (oldForm)
        {
            addr = context.Request.GetString(2);
            skipMe = false;
        }
        else
        {
            for (var i = 2; i < context.ArgumentCount; i += 2)
            {
                if (i + 1 >= context.ArgumentCount)
                {
                    context.WriteSyntaxError();
                    return;
                }

                var value = context.Request.GetString(i + 1);
                if (context.ArgumentIs(i, "ID"u8))
                {
                    if (!context.TryGetInt64(i + 1, out id) || id <= 0)
                    {
                        context.WriteError(ErrorMessages.ClientIdNotPositive);
                        return;
                    }
                }
                else if (context.ArgumentIs(i, "TYPE"u8))
                {
                    if (!ClientTypes.Contains(value, StringComparer.OrdinalIgnoreCase))
                    {
                        context.WriteError(ErrorMessages.UnknownClientType(value));
                        return;
                    }

                    matchesNone |= !value.Equals("normal", StringComparison.OrdinalIgnoreCase);
                }
                else if (context.ArgumentIs(i, "ADDR"u8))
                {
                    addr = value;
                }
                else if (context.ArgumentIs(i, "LADDR"u8))
                {
                    laddr = value;
                }
                else if (context.ArgumentIs(i, "USER"u8))
                {
                    user = context.Server.Acl.Find(Acl.AclText.From(context.Argument(i + 1)));
                    if (user is null)
                    {
                        context.WriteError($"ERR No such user '{ErrorMessages.Printable(value)}'");
                        return;
                    }
                }
                else if (context.ArgumentIs(i, "SKIPME"u8) && (context.ArgumentIs(i + 1, "YES"u8) || context.ArgumentIs(i + 1, "NO"u8)))
                {
                    skipMe = context.ArgumentIs(i + 1, "YES"u8);
                }
                else
                {
                    context.WriteSyntaxError();
                    return;
                }
            }
        }

        long killed = 0;
        foreach (var client in matchesNone ? Enumerable.Empty<ClientSession>() : context.Server.Clients.Clients)
        {
            if ((addr is not null && client.RemoteAddress != addr) ||
                (laddr is not null && client.LocalAddress != laddr) ||
                (id != 0 && client.Id != id) ||
                (user is not null && client.User != user) ||
                (skipMe && client == context.Client))
            {
                continue;
            }

            killed++;
            if (client == context.Client)
            {
                // Closed once this reply is flushed.
                client.CloseAfterReply = true;
            }
            else
            {
                client.Kill?.Invoke();
            }
        }

        if (!oldForm)
        {
            context.Output.WriteInteger(killed);
        }
        else if (killed == 0)
        {
            context.WriteError(ErrorMessages.NoSuchClient);
        }
        else
        {
            context.Output.WriteOk();
        }
    }

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "CLIENT", HelpLines);

    /// <summary>The CLIENT LIST line of <paramref name="client"/> without its newline (ACL LOG's client-info).</summary>
    internal static string DescribeLine(ClientSession client, long now)
    {
        var line = new StringBuilder();
        Describe(line, client, now, null);
        return line.ToString(0, line.Length - 1);
    }

    /// <summary>
    /// One CLIENT LIST line: Redis 7.0's fields in its order, then 7.2's lib-name and lib-ver. Values are what holds
    /// for a PepperCache connection (see docs/commands.md): qbuf the unparsed bytes in the input pipe, obl/oll/omem
    /// the reply bytes the transport has not taken, tot-mem an estimate. <paramref name="current"/> is the request
    /// being run when <paramref name="client"/> describes itself (its argv-mem).
    /// </summary>
    private static void Describe(StringBuilder line, ClientSession client, long now, RespRequest? current)
    {
        var invariant = CultureInfo.InvariantCulture;
        var memory = ClientMemory.Of(client, current);
        line.Append(invariant, $"id={client.Id} addr={client.RemoteAddress} laddr={client.LocalAddress} fd={client.FileDescriptor} name={client.Name}")
            .Append(invariant, $" age={(now - client.ConnectedAt) / 1000} idle={Math.Max(0, now - client.LastCommandAt) / 1000}")
            .Append(" flags=").Append(Flags(client)).Append(" db=0 sub=0 psub=0 ssub=0 multi=-1")
            .Append(invariant, $" qbuf={memory.QueryBuffer} qbuf-free={memory.QueryBufferFree} argv-mem={memory.Arguments} multi-mem=0")
            .Append(invariant, $" rbs={ClientMemory.ReplyBufferSize} rbp={client.ReplyPeak}")
            .Append(invariant, $" obl={memory.ReplyBuffer} oll={memory.ReplyListLength} omem={memory.ReplyList} tot-mem={memory.Total}")
            .Append(memory.WritePending ? " events=rw" : " events=r")
            .Append(invariant, $" cmd={client.LastCommand} user={Acl.AclText.ToDisplay(client.User?.Name ?? Acl.AclState.DefaultUserName)} redir=-1 resp={(client.Resp3 ? 3 : 2)}")
            .Append(invariant, $" lib-name={client.LibraryName} lib-ver={client.LibraryVersion}")
            .Append('\n');
    }

    /// <summary>Redis's flag letters that apply, in its order: O a monitor, b blocked, e no-evict, N none.</summary>
    private static string Flags(ClientSession client)
    {
        var flags = (client.Monitor is not null ? "O" : "") + (client.Blocking is { IsWaiting: true } || client.HeldByPause ? "b" : "") + (client.NoEvict ? "e" : "");
        return flags.Length == 0 ? "N" : flags;
    }
}
