namespace PepperCache.Benchmark.Simulation;

/// <summary>
/// An exact LRU: on a miss with the cache full, the key whose last use is oldest is evicted. A hash map from key to
/// node plus a doubly linked list in recency order (arrays of indices, no allocation per access): O(1) per access.
/// </summary>
internal sealed class ExactLru : ICacheModel
{
    private const int None = -1;

    private readonly Dictionary<ulong, int> _nodes;
    private readonly ulong[] _keys;
    private readonly int[] _previous;
    private readonly int[] _next;
    private int _head = None;
    private int _tail = None;

    public ExactLru(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _nodes = new Dictionary<ulong, int>(capacity);
        _keys = new ulong[capacity];
        _previous = new int[capacity];
        _next = new int[capacity];
    }

    public string Name => "exact LRU";

    public string Policy => "lru";

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool Access(ulong key)
    {
        if (_nodes.TryGetValue(key, out var node))
        {
            Unlink(node);
            PushFront(node);
            return true;
        }

        if (Count < Capacity)
        {
            node = Count++;
        }
        else
        {
            node = _tail;
            Unlink(node);
            _nodes.Remove(_keys[node]);
        }

        _keys[node] = key;
        _nodes.Add(key, node);
        PushFront(node);
        return false;
    }

    /// <summary>The keys held, most recently used first (for tests).</summary>
    public IEnumerable<ulong> KeysByRecency()
    {
        for (var node = _head; node != None; node = _next[node])
        {
            yield return _keys[node];
        }
    }

    private void Unlink(int node)
    {
        var previous = _previous[node];
        var next = _next[node];
        if (previous == None)
        {
            _head = next;
        }
        else
        {
            _next[previous] = next;
        }

        if (next == None)
        {
            _tail = previous;
        }
        else
        {
            _previous[next] = previous;
        }
    }

    private void PushFront(int node)
    {
        _previous[node] = None;
        _next[node] = _head;
        if (_head != None)
        {
            _previous[_head] = node;
        }

        _head = node;
        if (_tail == None)
        {
            _tail = node;
        }
    }
}
