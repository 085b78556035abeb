using System.Diagnostics;
using HdrHistogram;
using PepperCache.Protocol;

namespace PepperCache.Benchmark;

/// <summary>
/// One benchmark client: writes a batch of -P commands per node into one buffer, sends it with one write, then
/// counts the replies as they arrive. In cluster mode it holds one connection per node and follows MOVED/ASK once.
/// </summary>
/// <remarks>
/// Cache-aside: each GET that comes back nil owes a SET of its key. The reply is only known after the batch's round
/// trip, so the owed SETs open the next batch, and new GETs fill the rest of it (a batch stays at most -P commands;
/// at -P 1 the SET goes out before the next GET, as in an application). At the end of the run the last owed SETs
/// are sent on their own. Two misses on one key in one batch owe two SETs, as two application threads would.
/// </remarks>
internal sealed class LoadWorker : IDisposable
{
    private static readonly byte[] Asking = "*1\r\n$6\r\nASKING\r\n"u8.ToArray();

    private readonly Target _target;
    private readonly CommandBuilder _builder;
    private readonly SlotRouter? _router;
    private readonly int _pipeline;
    private readonly List<LoadConnection?> _connections = [];
    private readonly List<CommandBuffer> _buffers = [];
    private readonly CommandBuffer _retry = new(256);
    private readonly OperationKind[] _kinds;
    private readonly int[] _nodes;
    private readonly int[] _starts;
    private readonly int[] _lengths;
    private readonly List<(int Operation, bool Ask, int Slot, string Host, int Port)> _redirects = [];
    private readonly bool _cacheAside;
    private readonly ulong[] _keys;
    private readonly ulong[] _owed;
    private int _owedCount;
    private ulong _random;
    private long _completed;

    public LoadWorker(Target target, CommandBuilder builder, SlotRouter? router, int pipeline, ulong randomState, bool cacheAside = false)
    {
        _target = target;
        _builder = builder;
        _router = router;
        _pipeline = pipeline;
        _random = randomState;
        _cacheAside = cacheAside;
        _kinds = new OperationKind[pipeline];
        _nodes = new int[pipeline];
        _starts = new int[pipeline];
        _lengths = new int[pipeline];
        _keys = cacheAside ? new ulong[pipeline] : [];
        _owed = cacheAside ? new ulong[pipeline] : [];
    }

    /// <summary>Where this client's key stream stands; the next run of the same test continues from here.</summary>
    public ulong RandomState => _random;

    public LongHistogram Histogram { get; } = Latency.Create();

    public long Requests { get; private set; }

    public long Reads { get; private set; }

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public long Errors { get; private set; }

    public long Redirects { get; private set; }

    /// <summary>Requests answered so far; read by the progress display from another thread.</summary>
    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Opens the connections up front so that a target that is down fails before any measuring starts.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var nodeCount = _router?.Nodes.Count ?? 1;
        for (var node = 0; node < nodeCount; node++)
        {
            await ConnectionAsync(node, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task RunAsync(RunControl control)
    {
        while (!control.IsStopped)
        {
            // SETs owed by the last batch's misses go first; fresh requests from the shared budget fill the rest.
            var owed = _owedCount;
            var fresh = owed < _pipeline ? control.Claim(_pipeline - owed) : 0;
            var count = owed + fresh;
            if (count == 0)
            {
                return;
            }

            foreach (var buffer in _buffers)
            {
                buffer.Clear();
            }

            for (var i = 0; i < owed; i++)
            {
                WriteOwedSet(i, _owed[i]);
            }

            _owedCount = 0;
            for (var i = owed; i < count; i++)
            {
                WriteOperation(i);
            }

            var started = Stopwatch.GetTimestamp();
            for (var node = 0; node < _buffers.Count; node++)
            {
                if (_buffers[node].Length > 0)
                {
                    await _connections[node]!.SendAsync(_buffers[node].Written).ConfigureAwait(false);
                }
            }

            // A reply's latency ends when the bytes holding it arrived: one clock read per receive, not per reply.
            var received = started;
            for (var node = 0; node < _buffers.Count; node++)
            {
                if (_buffers[node].Length == 0)
                {
                    continue;
                }

                var connection = _connections[node]!;
                for (var i = 0; i < count; i++)
                {
                    if (_nodes[i] != node)
                    {
                        continue;
                    }

                    ReplyClass reply;
                    while (!connection.TryNextReply(out reply))
                    {
                        await connection.ReceiveAsync().ConfigureAwait(false);
                        received = Stopwatch.GetTimestamp();
                    }

                    Count(i, reply, connection, received - started);
                }
            }

            if (_redirects.Count > 0)
            {
                await FollowRedirectsAsync().ConfigureAwait(false);
            }

            // Progress counts requests from the budget (-n), so owed SETs do not count: a cache-aside run is at 100%
            // when its GETs are done.
            Volatile.Write(ref _completed, _completed + fresh);
        }
    }

    private void WriteOperation(int i)
    {
        var scratch = BufferFor(0);
        var start = scratch.Length;
        int keyStart, keyLength;
        if (_cacheAside)
        {
            _keys[i] = _builder.NextKey(ref _random);
            _builder.WriteGet(scratch, _keys[i], out keyStart, out keyLength);
            _kinds[i] = OperationKind.Read;
        }
        else
        {
            _kinds[i] = _builder.Write(scratch, ref _random, out keyStart, out keyLength);
        }

        Place(i, scratch, start, keyStart, keyLength);
    }

    private void WriteOwedSet(int i, ulong key)
    {
        var scratch = BufferFor(0);
        var start = scratch.Length;
        _builder.WriteSet(scratch, key, out var keyStart, out var keyLength);
        _kinds[i] = OperationKind.Write;
        Place(i, scratch, start, keyStart, keyLength);
    }

    // A key's node is known only once the key is drawn: the command was written into node 0's buffer; move the bytes
    // if the slot belongs elsewhere (cluster mode only).
    private void Place(int i, CommandBuffer scratch, int start, int keyStart, int keyLength)
    {
        var node = 0;
        var length = scratch.Length - start;
        if (_router is not null)
        {
            node = keyStart < 0
                ? (int)(CommandBuilder.Next(ref _random) % (ulong)_router.Nodes.Count)
                : _router.NodeForSlot(SlotRouter.SlotOf(scratch.Slice(keyStart, keyLength)));
            if (node != 0)
            {
                var target = BufferFor(node);
                var moved = target.Length;
                target.Write(scratch.Slice(start, length));
                scratch.Truncate(start);
                start = moved;
            }
        }

        _nodes[i] = node;
        _starts[i] = start;
        _lengths[i] = length;
    }

    private void Count(int operation, ReplyClass reply, LoadConnection connection, long elapsedTicks)
    {
        Latency.Record(Histogram, elapsedTicks);
        if (reply == ReplyClass.Error && _router is not null
            && SlotRouter.TryParseRedirect(connection.LastReply, out var ask, out var slot, out var host, out var port))
        {
            Redirects++;
            _redirects.Add((operation, ask, slot, host, port));
            return;
        }

        Tally(operation, reply);
    }

    private void Tally(int operation, ReplyClass reply)
    {
        Requests++;
        if (reply == ReplyClass.Error)
        {
            Errors++;
        }

        if (_kinds[operation] == OperationKind.Read)
        {
            Reads++;
            if (reply == ReplyClass.Value)
            {
                Hits++;
            }
            else if (reply == ReplyClass.Null)
            {
                Misses++;
                if (_cacheAside)
                {
                    _owed[_owedCount++] = _keys[operation];
                }
            }
        }
    }

    // Rare (slots moving): each redirected command is sent again, once, to the node named; a second redirect counts
    // as an error. The latency recorded is the first reply's; the retry's round trip is not measured.
    private async Task FollowRedirectsAsync()
    {
        foreach (var (operation, ask, slot, host, port) in _redirects)
        {
            var node = ask ? _router!.IndexOf(host, port) : _router!.Moved(slot, host, port);
            var connection = await ConnectionAsync(node, CancellationToken.None).ConfigureAwait(false);
            _retry.Clear();
            if (ask)
            {
                _retry.Write(Asking);
            }

            _retry.Write(_buffers[_nodes[operation]].Slice(_starts[operation], _lengths[operation]));
            await connection.SendAsync(_retry.Written).ConfigureAwait(false);
            for (var reply = ask ? 0 : 1; reply < 2; reply++)
            {
                ReplyClass result;
                while (!connection.TryNextReply(out result))
                {
                    await connection.ReceiveAsync().ConfigureAwait(false);
                }

                if (reply == 1)
                {
                    Tally(operation, result);
                }
            }
        }

        _redirects.Clear();
    }

    private CommandBuffer BufferFor(int node)
    {
        EnsureNode(node);
        return _buffers[node];
    }

    private void EnsureNode(int node)
    {
        while (_buffers.Count <= node)
        {
            _buffers.Add(new CommandBuffer());
            _connections.Add(null);
        }
    }

    private async ValueTask<LoadConnection> ConnectionAsync(int node, CancellationToken cancellationToken)
    {
        EnsureNode(node);
        if (_connections[node] is { } existing)
        {
            return existing;
        }

        var (host, port) = _router is null ? (_target.Host, _target.Port) : _router.Nodes[node];
        var connection = await LoadConnection.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        _connections[node] = connection;
        return connection;
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection?.Dispose();
        }
    }
}
