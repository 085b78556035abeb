using System.Numerics;
using System.Runtime.CompilerServices;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// The skiplist encoding: Redis's skip list with spans (zslInsert, zslDelete, zslGetRank...) and the member table.
public sealed partial class SortedSetObject
{
    private const int MaxLevel = 32;

    // A node: object header and method table, score, member, backward link, level 0 inline and the upper levels' array.
    private const long NodeSize = 64;

    private Node _header = null!;
    private Node? _tail;
    private int _level;
    private long _length;
    private long _nodeBytes;

    // The member table: slot i holds a node; buckets chain slots by member hash (index + 1, 0 for none).
    private Slot[] _slots = [];
    private int[] _buckets = [];
    private int _highWater;
    private int _freeList = -1;
    private int _freeCount;

    private long SkipListBytes() =>
        _nodeBytes + Entry.ArraySize(_slots.Length, Unsafe.SizeOf<Slot>()) + Entry.ArraySize(_buckets.Length, sizeof(int));

    private void InitializeSkipList(int capacity)
    {
        _header = new Node(0, [], MaxLevel);
        _tail = null;
        _level = 1;
        _length = 0;
        _nodeBytes = NodeSize + LevelsSize(MaxLevel);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 16));
        _slots = new Slot[size];
        _buckets = new int[size];
        _highWater = 0;
        _freeList = -1;
        _freeCount = 0;
    }

    // Level 0 lives in the node; only the quarter of nodes that are taller have an array, of their upper levels.
    private static long LevelsSize(int levels) => levels > 1 ? Entry.ArraySize(levels - 1, Unsafe.SizeOf<Level>()) : 0;

    private static int RandomLevel()
    {
        var level = 1;
        while (level < MaxLevel && (Random.Shared.Next() & 0xFFFF) < (int)(0.25 * 0xFFFF))
        {
            level++;
        }

        return level;
    }

    private Node InsertNew(double score, byte[] member)
    {
        var node = new Node(score, member, RandomLevel());
        _nodeBytes += NodeSize + LevelsSize(node.Height);
        InsertNode(node);
        return node;
    }

    /// <summary>zslInsert with a node made already (its height kept when a score changes).</summary>
    private void InsertNode(Node node)
    {
        Span<long> rank = stackalloc long[MaxLevel];
        var update = default(NodeBuffer);
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            rank[i] = i == _level - 1 ? 0 : rank[i + 1];
            while (x.At(i).Forward is { } next && Compare(next.Score, next.Member, node.Score, node.Member) < 0)
            {
                rank[i] += x.At(i).Span;
                x = next;
            }

            update[i] = x;
        }

        var level = node.Height;
        if (level > _level)
        {
            for (var i = _level; i < level; i++)
            {
                rank[i] = 0;
                update[i] = _header;
                _header.At(i).Span = _length;
            }

            _level = level;
        }

        for (var i = 0; i < level; i++)
        {
            node.At(i).Forward = update[i].At(i).Forward;
            update[i].At(i).Forward = node;
            node.At(i).Span = update[i].At(i).Span - (rank[0] - rank[i]);
            update[i].At(i).Span = rank[0] - rank[i] + 1;
        }

        for (var i = level; i < _level; i++)
        {
            update[i].At(i).Span++;
        }

        node.Backward = update[0] == _header ? null : update[0];
        if (node.At(0).Forward is { } after)
        {
            after.Backward = node;
        }
        else
        {
            _tail = node;
        }

        _length++;
    }

    /// <summary>Unlinks <paramref name="node"/> (zslDelete): finds its predecessors at every level, then zslDeleteNode.</summary>
    private void UnlinkNode(Node node)
    {
        var update = default(NodeBuffer);
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.At(i).Forward is { } next && Compare(next.Score, next.Member, node.Score, node.Member) < 0)
            {
                x = next;
            }

            update[i] = x;
        }

        UnlinkNode(node, ref update);
    }

    private void UnlinkNode(Node node, ref NodeBuffer update)
    {
        for (var i = 0; i < _level; i++)
        {
            if (update[i].At(i).Forward == node)
            {
                update[i].At(i).Span += node.At(i).Span - 1;
                update[i].At(i).Forward = node.At(i).Forward;
            }
            else
            {
                update[i].At(i).Span--;
            }
        }

        if (node.At(0).Forward is { } after)
        {
            after.Backward = node.Backward;
        }
        else
        {
            _tail = node.Backward;
        }

        while (_level > 1 && _header.At(_level - 1).Forward is null)
        {
            _level--;
        }

        _length--;
    }

    /// <summary>Removes a node for good: from the list and from the byte count (the caller frees its slot).</summary>
    private void DeleteNode(Node node)
    {
        UnlinkNode(node);
        _nodeBytes -= NodeSize + LevelsSize(node.Height);
    }

    private void UpdateScore(Node node, double score)
    {
        // zslUpdateScore: a score that keeps the node strictly between its neighbours changes in place, with no walk
        // from the top (a ZINCRBY by a little, a leaderboard's small steps). Equal scores would need the members
        // compared, so they take the general path.
        if ((node.Backward is not { } before || before.Score < score) &&
            (node.At(0).Forward is not { } after || after.Score > score))
        {
            node.Score = score;
            return;
        }

        UnlinkNode(node);
        node.Score = score;
        for (var i = 0; i < node.Height; i++)
        {
            node.At(i) = default;
        }

        InsertNode(node);
    }

    /// <summary>1-based rank of a node in the list (zslGetRank).</summary>
    private long RankOfNode(Node node)
    {
        var rank = 0L;
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.At(i).Forward is { } next && Compare(next.Score, next.Member, node.Score, node.Member) <= 0)
            {
                rank += x.At(i).Span;
                x = next;
            }

            if (x == node)
            {
                return rank;
            }
        }

        return 0;
    }

    /// <summary>The node at a 1-based rank (zslGetElementByRank).</summary>
    private Node? NodeAtRank(long rank)
    {
        var traversed = 0L;
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.At(i).Forward is { } next && traversed + x.At(i).Span <= rank)
            {
                traversed += x.At(i).Span;
                x = next;
            }

            if (traversed == rank)
            {
                return x;
            }
        }

        return null;
    }

    private Node? FindNode(ReadOnlySpan<byte> member, uint hash)
    {
        var slot = SlotOf(member, hash);
        return slot < 0 ? null : _slots[slot].Node;
    }

    private int SlotOf(ReadOnlySpan<byte> member, uint hash)
    {
        var slots = _slots;
        var index = _buckets[hash & (uint)(_buckets.Length - 1)] - 1;
        while ((uint)index < (uint)slots.Length)
        {
            ref var slot = ref slots[index];
            if (slot.Hash == hash && slot.Node!.Member.AsSpan().SequenceEqual(member))
            {
                return index;
            }

            index = slot.Next;
        }

        return -1;
    }

    private void AddNode(Node node, uint hash)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _freeList;
            _freeList = -3 - _slots[index].Next;
            _freeCount--;
        }
        else
        {
            if (_highWater == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
                Rehash();
            }

            index = _highWater++;
        }

        ref var slot = ref _slots[index];
        slot.Hash = hash;
        slot.Node = node;
        ref var bucket = ref _buckets[hash & (uint)(_buckets.Length - 1)];
        slot.Next = bucket - 1;
        bucket = index + 1;
    }

    private void FreeSlot(int index)
    {
        ref var slot = ref _slots[index];
        ref var link = ref _buckets[slot.Hash & (uint)(_buckets.Length - 1)];
        if (link - 1 == index)
        {
            link = slot.Next + 1;
        }
        else
        {
            var i = link - 1;
            while (_slots[i].Next != index)
            {
                i = _slots[i].Next;
            }

            _slots[i].Next = slot.Next;
        }

        slot.Node = null;
        slot.Hash = 0;
        slot.Next = -3 - _freeList;
        _freeList = index;
        _freeCount++;
    }

    private void Rehash()
    {
        var buckets = new int[_slots.Length];
        var mask = (uint)(buckets.Length - 1);
        for (var i = 0; i < _highWater; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Node is null)
            {
                continue;
            }

            ref var bucket = ref buckets[slot.Hash & mask];
            slot.Next = bucket - 1;
            bucket = i + 1;
        }

        _buckets = buckets;
    }

    /// <summary>
    /// A skip-list node. Level 0 is a field: three nodes in four have no other level (p = 1/4), so they need no
    /// array at all, 24 B less a member than a levels array for every node.
    /// </summary>
    private sealed class Node(double score, byte[] member, int levels)
    {
        public double Score = score;
        public readonly byte[] Member = member;
        public Node? Backward;
        private Level _first;
        private readonly Level[]? _upper = levels > 1 ? new Level[levels - 1] : null;

        public int Height => _upper is null ? 1 : _upper.Length + 1;

        public ref Level At(int level) => ref level == 0 ? ref _first : ref _upper![level - 1];
    }

    /// <summary>Predecessors at each level, on the stack (no allocation per insert or delete).</summary>
    [InlineArray(MaxLevel)]
    private struct NodeBuffer
    {
        private Node _element;
    }

    private struct Level
    {
        public Node? Forward;
        public long Span;
    }

    private struct Slot
    {
        public uint Hash;
        public int Next;
        public Node? Node;
    }
}
