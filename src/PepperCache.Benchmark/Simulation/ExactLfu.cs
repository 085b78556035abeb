using System.Runtime.InteropServices;

namespace PepperCache.Benchmark.Simulation;

/// <summary>
/// An exact LFU over the keys in the cache: each held key counts its uses since it was inserted (1 at insertion);
/// on a miss with the cache full, a key with the lowest count is evicted, and among those the one that reached that
/// count longest ago. A key's count is forgotten when it is evicted (Redis's LFU also keeps counters only for keys
/// it holds, but makes them logarithmic and lets them decay; this model does neither). O(1) per access: keys sit in
/// one list per count, and the lowest non-empty count is tracked.
/// </summary>
internal sealed class ExactLfu : ICacheModel
{
    private const int None = -1;

    private readonly Dictionary<ulong, int> _nodes;
    private readonly Dictionary<long, (int Head, int Tail)> _lists = [];
    private readonly ulong[] _keys;
    private readonly long[] _counts;
    private readonly int[] _previous;
    private readonly int[] _next;
    private long _lowestCount;

    public ExactLfu(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _nodes = new Dictionary<ulong, int>(capacity);
        _keys = new ulong[capacity];
        _counts = new long[capacity];
        _previous = new int[capacity];
        _next = new int[capacity];
    }

    public string Name => "exact LFU";

    public string Policy => "lfu";

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool Access(ulong key)
    {
        if (_nodes.TryGetValue(key, out var node))
        {
            var count = _counts[node];
            if (Unlink(node) && _lowestCount == count)
            {
                _lowestCount = count + 1;
            }

            _counts[node] = count + 1;
            PushFront(node);
            return true;
        }

        if (Count < Capacity)
        {
            node = Count++;
        }
        else
        {
            node = _lists[_lowestCount].Tail;
            Unlink(node);
            _nodes.Remove(_keys[node]);
        }

        _keys[node] = key;
        _counts[node] = 1;
        _nodes.Add(key, node);
        PushFront(node);
        _lowestCount = 1;
        return false;
    }

    /// <summary>The use count of a held key, or 0 (for tests).</summary>
    public long UsesOf(ulong key) => _nodes.TryGetValue(key, out var node) ? _counts[node] : 0;

    /// <summary>Takes the node out of its count's list; true when that list is now empty (and dropped).</summary>
    private bool Unlink(int node)
    {
        var count = _counts[node];
        ref var list = ref CollectionsMarshal.GetValueRefOrNullRef(_lists, count);
        var previous = _previous[node];
        var next = _next[node];
        if (previous == None)
        {
            list.Head = next;
        }
        else
        {
            _next[previous] = next;
        }

        if (next == None)
        {
            list.Tail = previous;
        }
        else
        {
            _previous[next] = previous;
        }

        if (list.Head == None)
        {
            _lists.Remove(count);
            return true;
        }

        return false;
    }

    private void PushFront(int node)
    {
        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(_lists, _counts[node], out var exists);
        if (!exists)
        {
            list = (None, None);
        }

        _previous[node] = None;
        _next[node] = list.Head;
        if (list.Head != None)
        {
            _previous[list.Head] = node;
        }

        list.Head = node;
        if (list.Tail == None)
        {
            list.Tail = node;
        }
    }
}
