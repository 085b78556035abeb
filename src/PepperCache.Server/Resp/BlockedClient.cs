namespace PepperCache.Server.Resp;

/// <summary>How a block ended, as the blocking command reads it when it runs again.</summary>
internal enum BlockOutcome
{
    /// <summary>Not blocked, or the block's outcome was taken.</summary>
    None,

    /// <summary>One of its keys got elements (or its slot is moving): run again, and block again if they are gone.</summary>
    Woken,

    /// <summary>The timeout passed, or CLIENT UNBLOCK ... TIMEOUT: answer as a timeout.</summary>
    TimedOut,

    /// <summary>CLIENT UNBLOCK ... ERROR: answer Redis's UNBLOCKED error.</summary>
    Error,

    /// <summary>The client went away (disconnect, CLIENT KILL): answer nothing.</summary>
    Closed,
}

/// <summary>
/// One connection's blocking state, made on its first block and reused: the keys it waits on, its deadline, and the
/// task its connection awaits. Changed only under the <see cref="BlockingRegistry"/>'s lock, except for the fields the
/// connection's own thread reads between blocks.
/// </summary>
internal sealed class BlockedClient(BlockingRegistry registry, ClientSession session)
{
    public ClientSession Session { get; } = session;

    public BlockingRegistry Registry { get; } = registry;

    /// <summary>Raised by every block, so a timer left from an earlier block cannot end a later one.</summary>
    internal long Generation { get; set; }

    /// <summary>The keys waited on now (copies), each with its node in that key's queue.</summary>
    internal List<(byte[] Key, LinkedListNode<BlockedClient> Node)> Queues { get; } = [];

    /// <summary>Unix ms when the wait times out; 0 for never. Kept across a wake-up, so running again does not extend it.</summary>
    public long Deadline { get; set; }

    /// <summary>The session's command count when it blocked: the command run next with this count + 1 is the blocked one, run again.</summary>
    public long Sequence { get; set; }

    /// <summary>True while registered on keys and not yet woken (INFO blocked_clients, CLIENT UNBLOCK).</summary>
    public bool IsWaiting { get; internal set; }

    internal BlockOutcome Outcome { get; set; }

    internal TaskCompletionSource? Completion { get; set; }

    internal ITimer? Timer { get; set; }

    internal CancellationTokenRegistration Disconnect { get; set; }

    /// <summary>
    /// When the command now running is this client's blocked command run again, how its block ended; otherwise (a
    /// new command) <see cref="BlockOutcome.None"/>. Clears it either way.
    /// </summary>
    public BlockOutcome TakeOutcome()
    {
        var outcome = Outcome;
        Outcome = BlockOutcome.None;
        return Session.CommandsProcessed == Sequence + 1 ? outcome : BlockOutcome.None;
    }

    /// <summary>CLIENT KILL of a blocked client: it wakes to close.</summary>
    public void Close() => Registry.Unblock(this, BlockOutcome.Closed);
}
