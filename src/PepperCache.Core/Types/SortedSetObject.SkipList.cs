using System.Numerics;
using System.Runtime.CompilerServices;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// The skiplist encoding: Redis's skip list with spans (zslInsert, zslDelete, zslGetRank...) and the member table.
public sealed partial class SortedSetObject
{
    private const int MaxLevel = 32;

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
        _header = Node.Create(0, [], null, MaxLevel);
        _tail = null;
        _level = 1;
        _length = 0;
        _nodeBytes = NodeBytes(_header);
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

    /// <summary>
    /// A new node for <paramref name="member"/>, linked in. <paramref name="array"/> is the member's own array when the
    /// caller has one to give (members are immutable, so a listpack's or a clone's source array is shared): a long
    /// member keeps it rather than a copy.
    /// </summary>
    private Node InsertNew(double score, ReadOnlySpan<byte> member, byte[]? array)
    {
        var node = Node.Create(score, member, array, RandomLevel());
        _nodeBytes += NodeBytes(node);
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
            while (x.Forward(i) is { } next && Compare(next.Score, next.Member, node.Score, node.Member) < 0)
            {
                rank[i] += x.Span(i);
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
                _header.SetSpan(i, _length);
            }

            _level = level;
        }

        for (var i = 0; i < level; i++)
        {
            node.SetForward(i, update[i].Forward(i));
            update[i].SetForward(i, node);
            node.SetSpan(i, update[i].Span(i) - (rank[0] - rank[i]));
            update[i].SetSpan(i, rank[0] - rank[i] + 1);
        }

        for (var i = level; i < _level; i++)
        {
            update[i].SetSpan(i, update[i].Span(i) + 1);
        }

        node.Backward = update[0] == _header ? null : update[0];
        if (node.Next is { } after)
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
            while (x.Forward(i) is { } next && Compare(next.Score, next.Member, node.Score, node.Member) < 0)
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
            if (update[i].Forward(i) == node)
            {
                update[i].SetSpan(i, update[i].Span(i) + node.Span(i) - 1);
                update[i].SetForward(i, node.Forward(i));
            }
            else
            {
                update[i].SetSpan(i, update[i].Span(i) - 1);
            }
        }

        if (node.Next is { } after)
        {
            after.Backward = node.Backward;
        }
        else
        {
            _tail = node.Backward;
        }

        while (_level > 1 && _header.Forward(_level - 1) is null)
        {
            _level--;
        }

        _length--;
    }

    /// <summary>Removes a node for good: from the list and from the byte count (the caller frees its slot).</summary>
    private void DeleteNode(Node node)
    {
        UnlinkNode(node);
        _nodeBytes -= NodeBytes(node);
    }

    private void UpdateScore(Node node, double score)
    {
        // zslUpdateScore: a score that keeps the node strictly between its neighbours changes in place, with no walk
        // from the top (a ZINCRBY by a little, a leaderboard's small steps). Equal scores would need the members
        // compared, so they take the general path.
        if ((node.Backward is not { } before || before.Score < score) &&
            (node.Next is not { } after || after.Score > score))
        {
            node.Score = score;
            return;
        }

        UnlinkNode(node);
        node.Score = score;
        for (var i = 0; i < node.Height; i++)
        {
            node.SetForward(i, null);
            node.SetSpan(i, 0);
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
            while (x.Forward(i) is { } next && Compare(next.Score, next.Member, node.Score, node.Member) <= 0)
            {
                rank += x.Span(i);
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
            while (x.Forward(i) is { } next && traversed + x.Span(i) <= rank)
            {
                traversed += x.Span(i);
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
            if (slot.Hash == hash && slot.Node!.Member.SequenceEqual(member))
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
