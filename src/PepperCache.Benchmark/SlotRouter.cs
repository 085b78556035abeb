using System.Globalization;
using System.Text;
using PepperCache.Client;
using PepperCache.Protocol;

namespace PepperCache.Benchmark;

/// <summary>
/// A deliberately small cluster router for the benchmark: CLUSTER SLOTS gives a 16,384-entry slot table, MOVED
/// replies patch it one slot at a time. (The full client-side cluster support lives in PepperCache.Client; this keeps
/// the load path free of its per-command tasks.)
/// </summary>
internal sealed class SlotRouter
{
    public const int SlotCount = 16384;

    private readonly Lock _lock = new();
    private readonly int[] _slots = new int[SlotCount];
    private volatile (string Host, int Port)[] _nodes;

    private SlotRouter((string Host, int Port)[] nodes, int[] slots)
    {
        _nodes = nodes;
        slots.CopyTo(_slots, 0);
    }

    /// <summary>The nodes known so far; indexes are stable (nodes are only ever added).</summary>
    public IReadOnlyList<(string Host, int Port)> Nodes => _nodes;

    public int NodeForSlot(int slot) => Volatile.Read(ref _slots[slot]);

    /// <summary>Asks one node for the slot map; every slot must be served.</summary>
    public static async Task<SlotRouter> LoadAsync(Target seed, CancellationToken cancellationToken)
    {
        await using var connection = await RespConnection.ConnectAsync(seed.Host, seed.Port, cancellationToken).ConfigureAwait(false);
        var reply = await connection.ExecuteAsync([[.. "CLUSTER"u8], [.. "SLOTS"u8]], cancellationToken)
            .ConfigureAwait(false);
        if (reply.IsError)
        {
            throw new BenchmarkException($"target {seed.Name} ({seed.EndPoint}) is not a cluster node: CLUSTER SLOTS answered '{reply.Text}'");
        }

        var nodes = new List<(string Host, int Port)>();
        var slots = new int[SlotCount];
        Array.Fill(slots, -1);
        foreach (var range in reply.Elements)
        {
            if (range.Elements.Count < 3 || range.Elements[2].Elements.Count < 2)
            {
                throw new BenchmarkException($"target {seed.Name}: unexpected CLUSTER SLOTS entry {range}");
            }

            var master = range.Elements[2];
            var host = master.Elements[0].Text is { Length: > 0 } h && h != "?" ? h : seed.Host;
            var node = (host, (int)master.Elements[1].Integer);
            var index = nodes.IndexOf(node);
            if (index < 0)
            {
                nodes.Add(node);
                index = nodes.Count - 1;
            }

            for (var slot = Math.Max(0, range.Elements[0].Integer); slot <= range.Elements[1].Integer && slot < SlotCount; slot++)
            {
                slots[slot] = index;
            }
        }

        var missing = Array.IndexOf(slots, -1);
        if (missing >= 0)
        {
            throw new BenchmarkException($"target {seed.Name} ({seed.EndPoint}): slot {missing} is not served by any node (cluster not ready)");
        }

        return new SlotRouter([.. nodes], slots);
    }

    /// <summary>The index of a node named by an ASK reply, added if new (the slot table is left as it is).</summary>
    public int IndexOf(string host, int port)
    {
        lock (_lock)
        {
            var nodes = _nodes;
            var index = Array.IndexOf(nodes, (host, port));
            if (index >= 0)
            {
                return index;
            }

            _nodes = [.. nodes, (host, port)];
            return nodes.Length;
        }
    }

    /// <summary>Points <paramref name="slot"/> at the node a MOVED reply named; returns that node's index.</summary>
    public int Moved(int slot, string host, int port)
    {
        lock (_lock)
        {
            var nodes = _nodes;
            var index = Array.IndexOf(nodes, (host, port));
            if (index < 0)
            {
                _nodes = [.. nodes, (host, port)];
                index = nodes.Length;
            }

            Volatile.Write(ref _slots[slot], index);
            return index;
        }
    }

    /// <summary>Parses "MOVED 3999 127.0.0.1:6381" or "ASK ..." (without the leading '-').</summary>
    public static bool TryParseRedirect(ReadOnlySpan<byte> error, out bool ask, out int slot, out string host, out int port)
    {
        var text = Encoding.ASCII.GetString(error).TrimStart('-').TrimEnd('\r', '\n');
        var parts = text.Split(' ');
        ask = parts.Length > 0 && parts[0] == "ASK";
        slot = 0;
        host = "";
        port = 0;
        if (parts.Length != 3 || (parts[0] != "MOVED" && !ask)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out slot) || slot >= SlotCount)
        {
            return false;
        }

        var colon = parts[2].LastIndexOf(':');
        host = colon > 0 ? parts[2][..colon] : "";
        return colon > 0 && int.TryParse(parts[2][(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port);
    }

    /// <summary>The key's slot, as the server computes it.</summary>
    public static int SlotOf(ReadOnlySpan<byte> key) => HashSlot.Of(key);
}

/// <summary>A failure that ends the run with a message for the user (a target down, a cluster not ready...).</summary>
internal sealed class BenchmarkException : Exception
{
    public BenchmarkException(string message)
        : base(message)
    {
    }

    public BenchmarkException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public BenchmarkException()
    {
    }
}
