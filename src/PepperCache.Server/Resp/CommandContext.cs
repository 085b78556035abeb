using System.Buffers;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;

namespace PepperCache.Server.Resp;

/// <summary>
/// What a command handler works with: the parsed request, the reply writer, the store, its client session and the
/// node's shared state. One instance per connection, reused for every command.
/// </summary>
internal sealed class CommandContext(ServerState server, ClientSession client, RespRequest request)
{
    public ServerState Server { get; } = server;

    public ClientSession Client { get; } = client;

    public RespRequest Request { get; } = request;

    public KeyValueStore Store => Server.Store;

    /// <summary>Where write handlers record what they changed for the append-only file.</summary>
    public AofFeed Aof { get; } = new(server.Aof);

    /// <summary>Replies go here; the connection flushes once per batch.</summary>
    public IBufferWriter<byte> Output { get; set; } = null!;

    /// <summary>The connection speaks RESP3: the flag every reply shape that differs between the protocols takes.</summary>
    public bool Resp3 => Client.Resp3;

    /// <summary>Redis's authRequired: the default user has a password (or is off) and this client has not authenticated.</summary>
    public bool MustAuthenticate => !Client.Authenticated && Server.Acl.AuthRequired;

    /// <summary>The definition being executed (set by the dispatcher).</summary>
    public CommandDefinition Command { get; set; } = null!;

    /// <summary>
    /// Set by the dispatcher instead of running a command whose key's slot is frozen for migration: the connection
    /// stops the batch before that command, flushes, awaits this and dispatches the command again.
    /// </summary>
    public Task? SlotWait { get; set; }

    /// <summary>
    /// Set by a blocking command (BLPOP...) that found nothing: as with <see cref="SlotWait"/>, the connection flushes,
    /// awaits this without a thread, and runs the command again (see <see cref="BlockingRegistry"/>).
    /// </summary>
    public Task? BlockWait { get; set; }

    /// <summary>The command just dispatched did not run yet: it waits for a slot move or for its keys.</summary>
    public bool IsHeldBack => SlotWait is not null || BlockWait is not null;

    /// <summary>A list reused by commands that gather keys (KEYS, SCAN), so they do not allocate one per call.</summary>
    public List<byte[]> KeyBuffer { get; } = [];

    /// <summary>Error replies written on this connection: the dispatcher compares it around a command to see it failed.</summary>
    public long ErrorReplies { get; private set; }

    /// <summary>
    /// Set by a container when it refuses its subcommand before running it (unknown, or the wrong number of
    /// arguments): a rejected call for INFO commandstats rather than a failed one.
    /// </summary>
    public bool Rejected { get; set; }

    /// <summary>
    /// Within a batch of pipelined commands, when the previous command ended (Stopwatch ticks), or 0 outside one: each
    /// command's time is measured from there, one clock read per command instead of two (a precise read is ~55 ns on a
    /// VM's kvm-clock, 5% of a pipelined GET). It includes the command's own parse, which Redis's does not.
    /// </summary>
    public long ChainedTimestamp { get; set; }

    private IBufferWriter<byte>? _silenced;
    private DiscardingWriter? _discard;

    /// <summary>CLIENT REPLY OFF or SKIP: replies written from now on are dropped, until <see cref="RestoreReplies"/>.</summary>
    public void SilenceReplies()
    {
        _silenced ??= Output;
        Output = _discard ??= new DiscardingWriter();
    }

    /// <summary>Replies go to the connection again.</summary>
    public void RestoreReplies()
    {
        if (_silenced is not null)
        {
            Output = _silenced;
            _silenced = null;
        }
    }

    /// <summary>
    /// After each command while CLIENT REPLY is not ON (Redis's resetClient): the command after SKIP is silenced,
    /// and the one after that is heard again.
    /// </summary>
    public void AfterSilencedCommand()
    {
        switch (Client.Replies)
        {
            case ReplyMode.SkipNext:
                Client.Replies = ReplyMode.Skip;
                SilenceReplies();
                break;
            case ReplyMode.Skip:
                Client.Replies = ReplyMode.On;
                RestoreReplies();
                break;
        }
    }

    public int ArgumentCount => Request.Count;

    public ReadOnlySpan<byte> Argument(int index) => Request[index];

    /// <summary>ASCII case-insensitive comparison of argument <paramref name="index"/> with <paramref name="word"/>.</summary>
    public bool ArgumentIs(int index, ReadOnlySpan<byte> word) => Ascii.EqualsIgnoreCase(Request[index], word);

    /// <summary>Parses argument <paramref name="index"/> as Redis's <c>string2ll</c> would.</summary>
    public bool TryGetInt64(int index, out long value) => RespParser.TryParseInt64(Request[index], out value);

    /// <summary>Parses an integer argument, writing Redis's "not an integer" error when it is not one.</summary>
    public bool TryGetInt64OrReply(int index, out long value)
    {
        if (RespParser.TryParseInt64(Request[index], out value))
        {
            return true;
        }

        WriteError(ErrorMessages.NotInteger);
        return false;
    }

    /// <summary>
    /// Writes an error reply (<paramref name="message"/> without the '-') and counts it for INFO: every error a
    /// command answers goes through here, so <c>total_error_replies</c> and errorstats see it.
    /// </summary>
    public void WriteError(ReadOnlySpan<byte> message)
    {
        ErrorReplies++;
        Server.Statistics.Errors.Count(message);
        Output.WriteError(message);
    }

    /// <inheritdoc cref="WriteError(ReadOnlySpan{byte})"/>
    public void WriteError(string message)
    {
        ErrorReplies++;
        Server.Statistics.Errors.Count(message);
        Output.WriteError(message);
    }

    public void WriteSyntaxError() => WriteError(ErrorMessages.Syntax);

    public void WriteWrongArgumentCount() => WriteError(ErrorMessages.WrongArgumentCount(Command.Name));
}
