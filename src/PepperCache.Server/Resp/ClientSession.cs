using System.IO.Pipelines;
using System.Net;

namespace PepperCache.Server.Resp;

/// <summary>
/// One connected client, as CLIENT LIST/INFO report it. Counters are written only by the connection's own thread
/// and read (racily, which is fine for statistics) by INFO, so the hot path takes no lock and no interlocked op.
/// </summary>
internal sealed class ClientSession(long id, EndPoint? remote, EndPoint? local, long connectedAt)
{
    public long Id { get; } = id;

    public string RemoteAddress { get; } = Format(remote);

    public EndPoint? RemoteEndPoint { get; } = remote;

    /// <summary>Presented the cluster secret (<c>PEPPER.AUTH</c>): may send slot-migration commands.</summary>
    public bool ClusterPeer { get; set; }

    public string LocalAddress { get; } = Format(local);

    /// <summary>Unix ms when the connection was accepted.</summary>
    public long ConnectedAt { get; } = connectedAt;

    /// <summary>Unix ms of the last command (CLIENT LIST idle=).</summary>
    public long LastCommandAt { get; set; } = connectedAt;

    /// <summary>Unix ms when bytes last came in or replies last went out: the idle <c>timeout</c> counts from here, as Redis's lastinteraction.</summary>
    public long LastInteraction { get; set; } = connectedAt;

    /// <summary>
    /// Reply bytes past Redis's uncounted 16 KB that are written and not yet taken by the transport: what the output
    /// buffer limits are checked against (a flush the client is not reading is waiting on them).
    /// </summary>
    public long OutputBufferLength { get; set; }

    /// <summary>
    /// Reply bytes written and not yet taken by the transport, as of when the pending flush began (CLIENT LIST
    /// obl/oll/omem); 0 when no flush is waiting.
    /// </summary>
    public long PendingOutputBytes { get; set; }

    /// <summary>The most reply bytes one batch has written, up to Redis's 16 KB reply buffer (CLIENT LIST rbp).</summary>
    public long ReplyPeak { get; set; }

    /// <summary>
    /// Bytes in the connection's input pipe not yet parsed into a command (CLIENT LIST qbuf): the whole batch while
    /// it runs, what is left of it (an incomplete command) after. Written once per batch by the connection.
    /// </summary>
    public long QueryBufferLength { get; set; }

    /// <summary>The socket's file descriptor, or -1 when the transport exposes no socket (CLIENT LIST fd).</summary>
    public long FileDescriptor { get; init; } = -1;

    /// <summary>Bytes of a large command read into the request so far while the rest is still arriving (argv-mem of another client).</summary>
    public long PartialArgumentBytes { get; set; }

    /// <summary>Set by MONITOR: the stream of executed commands this connection receives; null otherwise.</summary>
    public MonitorStream? Monitor { get; set; }

    /// <summary>True while the connection waits for a flush (its client is not reading fast enough).</summary>
    public bool FlushPending { get; set; }

    /// <summary>Unix ms since which the output has stayed at or above the soft limit; 0 when it is below.</summary>
    public long OutputSoftLimitSince { get; set; }

    public string? Name { get; set; }

    public string? LibraryName { get; set; }

    public string? LibraryVersion { get; set; }

    /// <summary>Name of the last command run (CLIENT LIST cmd=).</summary>
    public string LastCommand { get; set; } = "NULL";

    /// <summary>
    /// The user this connection runs as: the default user until AUTH or HELLO AUTH names another. Null for a session
    /// made outside a connection (tools, tests, replay), which, as Redis's internal clients, may run anything.
    /// </summary>
    public Acl.AclUser? User { get; set; }

    /// <summary>
    /// Whether the connection may run commands other than no_auth ones while the default user needs a password:
    /// true after a successful AUTH, or from the start when the default user needed none at connect time.
    /// </summary>
    public bool Authenticated { get; set; } = true;

    /// <summary>Set by QUIT (and fatal errors): the connection closes once pending replies are flushed.</summary>
    public bool CloseAfterReply { get; set; }

    /// <summary>
    /// ASKING was the previous command: the next one may touch a slot this node is importing (slot migration reads
    /// this). The dispatcher clears it after every other command.
    /// </summary>
    public bool Asking { get; set; }

    /// <summary>
    /// The connection speaks RESP3 (after HELLO 3; HELLO 2 and RESET go back to RESP2): handlers pass it to the
    /// reply writer's shape methods (nulls, maps, sets, doubles...), see <see cref="CommandContext.Resp3"/>.
    /// </summary>
    public bool Resp3;

    /// <summary>CLIENT REPLY: which replies are sent (see <see cref="CommandContext.SilenceReplies"/>).</summary>
    public ReplyMode Replies { get; set; }

    /// <summary>True while a command of this client waits for CLIENT PAUSE to end (CLIENT LIST flag b).</summary>
    public bool HeldByPause { get; set; }

    /// <summary>CLIENT NO-EVICT ON: shown in CLIENT LIST (flag e); PepperCache closes no client to free memory.</summary>
    public bool NoEvict { get; set; }

    /// <summary>READONLY/READWRITE. There are no replicas to read from, so it changes nothing but is remembered.</summary>
    public bool ReadOnlyMode { get; set; }

    // Odd while the connection runs a batch of commands. Slot migration reads it to wait until every batch that
    // may have missed a slot's freeze has finished (see SlotMigrationState.QuiesceAsync).
    private long _batchSequence;

    public long BatchSequence => Volatile.Read(ref _batchSequence);

    /// <summary>Before a batch: a full fence, so the freeze checks that follow see any freeze published before it.</summary>
    public void EnterBatch() => Interlocked.Increment(ref _batchSequence);

    public void ExitBatch() => Volatile.Write(ref _batchSequence, _batchSequence + 1);

    public long CommandsProcessed;

    /// <summary>Calls, time, rejected and failed calls per command (INFO commandstats sums the connections').</summary>
    public ClientCommandCounters Counters { get; } = new();

    public long KeyspaceHits;
    public long KeyspaceMisses;

    /// <summary>
    /// Bytes this client has sent (counted once per read, as they arrive) and reply bytes handed to its socket (counted
    /// once per flush): INFO stats total_net_input_bytes/total_net_output_bytes and /metrics sum the connections'.
    /// Per connection, so no counter is shared between cores; written only by the connection's own loop.
    /// </summary>
    public long NetInputBytes;

    /// <inheritdoc cref="NetInputBytes"/>
    public long NetOutputBytes;

    /// <summary>Counts what <paramref name="output"/> holds unflushed as sent; called right before each flush.</summary>
    public void CountOutput(PipeWriter output)
    {
        if (output.CanGetUnflushedBytes)
        {
            NetOutputBytes += output.UnflushedBytes;
        }
    }

    /// <summary>The server port this client connected to (INFO tcp_port, CONFIG GET port).</summary>
    public int LocalPort { get; } = (local as IPEndPoint)?.Port ?? 0;

    /// <summary>Connected to the TLS port: redirects and CLUSTER replies then name members' TLS ports.</summary>
    public bool Tls { get; init; }

    /// <summary>
    /// Closes this connection from another one (CLIENT KILL): set by the connection handler to end its read loop,
    /// so the socket closes as after QUIT.
    /// </summary>
    public Action? Kill { get; set; }

    /// <summary>
    /// Drops this connection at once, replies not yet sent included (idle timeout, output buffer limit): set by the
    /// connection handler, which also ends when it is waiting on a flush the client does not read.
    /// </summary>
    public Action? Abort { get; set; }

    /// <summary>Fires when the client goes away (set by the connection handler): a blocked client leaves its keys' queues.</summary>
    public CancellationToken ConnectionClosed { get; set; }

    /// <summary>This connection's blocking state (BLPOP and the other blocking pops), made on its first block and reused.</summary>
    public BlockedClient? Blocking { get; set; }

    /// <summary>
    /// A MIGRATE waiting for its target: set by its first run, taken by its run again once the task is done. The
    /// sequence is <see cref="CommandsProcessed"/> then: a later MIGRATE (the held one having been refused when it
    /// came back, say MOVED) sees another count and does not take this outcome.
    /// </summary>
    public (Task<Commands.MigrateOutcome> Transfer, long Sequence)? Migration { get; set; }

    private static string Format(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => $"{(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)}:{ip.Port}",
        null => "?:0",
        _ => endPoint.ToString() ?? "?:0",
    };
}
