using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>
/// Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP on lists; BZPOPMIN, BZPOPMAX, BZMPOP on sorted
/// sets), queued first come first served per key, as Redis's <c>blocking_keys</c>. A blocked client holds no thread:
/// its connection awaits the task it got here. Each waits for one type (Redis's <c>btype</c>): a key's queue may hold
/// list and sorted-set waiters, and a key that now holds a list wakes the first list waiter, skipping the others.
/// </summary>
/// <remarks>
/// <para>
/// Serving is by running the command again, not by handing over an element: after every write command, while anyone
/// is blocked, the dispatcher calls <see cref="SignalKeys"/>, which wakes the first waiter of each of the command's
/// keys that now holds the type it waits for. The woken client runs its blocking command again through the dispatcher (so routing,
/// ACL, WRONGTYPE and the AOF apply as to any command; a slot that moved away answers MOVED) and, if the list is
/// empty again, blocks again at the front of the queues, with its first deadline. Its pop is itself a write command
/// on the key, so when elements remain it wakes the next waiter: a push of several elements serves waiters one after
/// another in queue order, and each element goes to one client (pops run under the key's shard lock).
/// </para>
/// <para>
/// No wake-up is lost: a blocking client registers first and then looks at its keys again (waking itself if one got
/// elements meanwhile), and a writer looks for waiters after its write, under the shard lock both take.
/// </para>
/// </remarks>
internal sealed class BlockingRegistry
{
    /// <summary>
    /// The furthest a timer fires (its due time is a uint of milliseconds, about 49.7 days). Redis takes any timeout up
    /// to LLONG_MAX ms, so a deadline further off waits in steps: the timer fires at its reach and is set again.
    /// </summary>
    private const long TimerReach = uint.MaxValue - 1;

    private static TimeSpan Due(long milliseconds) => TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 0, TimerReach));

    private readonly Lock _lock = new();
    private readonly Dictionary<byte[], LinkedList<BlockedClient>> _queues = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], LinkedList<BlockedClient>>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private int _waiting;

    public BlockingRegistry() => _bySpan = _queues.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>Clients waiting now (INFO blocked_clients).</summary>
    public int BlockedCount => Volatile.Read(ref _waiting);

    /// <summary>Whether anyone waits: the only cost writers pay while no one does.</summary>
    public bool HasWaiters => Volatile.Read(ref _waiting) != 0;

    /// <summary>
    /// Blocks the connection of <paramref name="context"/> on the keys in arguments <paramref name="first"/> to
    /// <paramref name="last"/>: sets
    /// <see cref="CommandContext.BlockWait"/>. <paramref name="deadline"/> is Unix ms (0: forever). A client woken
    /// before, running its command again, goes back to the front of the queues. It waits for a key to hold a
    /// <paramref name="type"/> (a list or a sorted set).
    /// </summary>
    public void Block(CommandContext context, int first, int last, long deadline, bool front, DataType type)
    {
        var session = context.Client;
        var client = session.Blocking ??= new BlockedClient(this, session);
        var store = context.Store;
        // Counted once, when it is served: as with a slot wait, the run that blocks does not count.
        session.CommandsProcessed--;
        client.Sequence = session.CommandsProcessed;
        client.Deadline = deadline;
        client.WaitsFor = type;
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long generation;
        lock (_lock)
        {
            generation = ++client.Generation;
            client.Completion = completion;
            client.Outcome = BlockOutcome.None;
            for (var index = first; index <= last; index++)
            {
                var key = context.Argument(index);
                if (ContainsKey(client, key))
                {
                    continue;
                }

                var copy = key.ToArray();
                if (!_queues.TryGetValue(copy, out var queue))
                {
                    queue = new LinkedList<BlockedClient>();
                    _queues.Add(copy, queue);
                }

                client.Queues.Add((copy, front ? queue.AddFirst(client) : queue.AddLast(client)));
            }

            client.IsWaiting = true;
            _waiting++;
        }

        context.BlockWait = completion.Task;
        if (deadline != 0)
        {
            client.Timer = store.TimeProvider.CreateTimer(
                static state =>
                {
                    var (timedOut, generation, store, until) = ((BlockedClient, long, Core.Storage.KeyValueStore, long))state!;
                    var left = until - store.Now;
                    // Only a deadline past the timer's reach fires this early; a few ms either side is the clock.
                    if (left > 1000 && timedOut.Generation == generation && timedOut.Timer is { } timer)
                    {
                        timer.Change(Due(left), Timeout.InfiniteTimeSpan);
                        return;
                    }

                    timedOut.Registry.Unblock(timedOut, BlockOutcome.TimedOut, generation);
                },
                (client, generation, store, deadline),
                Due(deadline - store.Now),
                Timeout.InfiniteTimeSpan);
        }

        client.Disconnect = session.ConnectionClosed.UnsafeRegister(static state => ((BlockedClient)state!).Close(), client);

        // A push may have come between the command's look at its keys and the registration above: look again.
        for (var index = first; index <= last; index++)
        {
            if (store.TypeOf(context.Argument(index)) == type)
            {
                Unblock(client, BlockOutcome.Woken);
                break;
            }
        }
    }

    /// <summary>After a write command: wakes the first waiter of each of its keys that now holds the type that waiter waits for.</summary>
    public void SignalKeys(CommandContext context, CommandDefinition command)
    {
        foreach (var (index, _) in command.Keys(new ArgumentView(context.Request, 0)))
        {
            var key = context.Argument(index);
            if (HasQueue(key) && context.Store.TypeOf(key) is { } type and (DataType.List or DataType.SortedSet))
            {
                WakeFirst(key, type);
            }
        }
    }

    /// <summary>A slot is frozen to move: everyone waiting on one of its keys runs again (and so waits for the move, then is redirected).</summary>
    public void WakeSlot(int slot)
    {
        if (!HasWaiters)
        {
            return;
        }

        List<BlockedClient> woken = [];
        lock (_lock)
        {
            foreach (var (key, queue) in _queues)
            {
                if (HashSlot.Of(key) == slot)
                {
                    woken.AddRange(queue);
                }
            }
        }

        foreach (var client in woken)
        {
            Unblock(client, BlockOutcome.Woken);
        }
    }

    /// <summary>Ends a wait with <paramref name="outcome"/>; false when the client was not waiting (already woken, or never blocked).</summary>
    public bool Unblock(BlockedClient client, BlockOutcome outcome, long generation = -1)
    {
        TaskCompletionSource? completion;
        lock (_lock)
        {
            if (!client.IsWaiting || (generation >= 0 && generation != client.Generation))
            {
                return false;
            }

            Remove(client);
            client.Outcome = outcome;
            completion = client.Completion;
            client.Completion = null;
        }

        client.Timer?.Dispose();
        client.Timer = null;
        if (outcome != BlockOutcome.Closed)
        {
            // Not from inside the token's own callback, where disposing would wait for itself.
            client.Disconnect.Dispose();
        }

        if (outcome == BlockOutcome.Closed)
        {
            client.Session.CloseAfterReply = true;
        }

        completion?.TrySetResult();
        return true;
    }

    private bool HasQueue(ReadOnlySpan<byte> key)
    {
        lock (_lock)
        {
            return _bySpan.ContainsKey(key);
        }
    }

    private void WakeFirst(ReadOnlySpan<byte> key, DataType type)
    {
        BlockedClient? first = null;
        lock (_lock)
        {
            if (_bySpan.TryGetValue(key, out var queue))
            {
                for (var node = queue.First; node is not null && first is null; node = node.Next)
                {
                    first = node.Value.WaitsFor == type ? node.Value : null;
                }
            }
        }

        if (first is not null)
        {
            Unblock(first, BlockOutcome.Woken);
        }
    }

    private static bool ContainsKey(BlockedClient client, ReadOnlySpan<byte> key)
    {
        foreach (var (existing, _) in client.Queues)
        {
            if (key.SequenceEqual(existing))
            {
                return true;
            }
        }

        return false;
    }

    // Under the lock.
    private void Remove(BlockedClient client)
    {
        foreach (var (key, node) in client.Queues)
        {
            var queue = node.List!;
            queue.Remove(node);
            if (queue.Count == 0)
            {
                _queues.Remove(key);
            }
        }

        client.Queues.Clear();
        client.IsWaiting = false;
        _waiting--;
    }
}
