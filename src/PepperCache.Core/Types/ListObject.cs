using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

/// <summary>
/// A Redis list: binary-safe elements in order. Read and changed only under its key's shard lock. Split by concern:
/// this file (the ends, indexes, middle edits), <c>ListObject.Nodes.cs</c> (the packed nodes and their entries) and
/// <c>ListObject.Persistence.cs</c> (clone, AOF, payload).
/// </summary>
/// <remarks>
/// <para>
/// A quicklist, as Redis keeps a list: a deque of nodes, each one array of packed entries (a length, the bytes, the
/// length again so the node can be walked from either end) of up to <see cref="NodeBytes"/>, the size Redis's
/// default <c>list-max-listpack-size -2</c> gives its listpacks. An element costs its bytes and two (five for one
/// of 128 bytes or more) rather than an array of its own: a million short elements take about 15 MB, as in Redis,
/// against 48 MB as separate arrays. Push and pop at either end are O(1); an index walks nodes from the nearer end,
/// and consecutive indexes (LRANGE, LPOS, the AOF rewrite) step from the last one found; a middle edit moves bytes
/// within one node, which is split when edits grow it past twice the node size.
/// </para>
/// <para>
/// Elements are handed out as spans into the node, valid until the list next changes: replies are written under the
/// shard lock, straight from them. A popped element's bytes stay where they were until the next change.
/// </para>
/// <para>
/// Redis 7.0 keeps every list as a quicklist (7.2 added a listpack encoding for small ones), so OBJECT ENCODING
/// always answers <c>quicklist</c> here, whatever the size.
/// </para>
/// <para>
/// <see cref="HeapSize"/> is kept exact as it changes: the object, its node ring and every node with its array,
/// each array counted as <see cref="Entry.ArraySize"/> does.
/// </para>
/// </remarks>
public sealed partial class ListObject : StoreObject
{
    /// <summary>Managed bytes of the object itself: header, method table and fields (measured by a test).</summary>
    internal const int ObjectBytes = 80;

    private const int InitialNodeSlots = 4;

    // A ring shrinks to half when it is at most an eighth full, so a list that grew and emptied gives memory back
    // without bouncing between sizes at a boundary.
    private const int ShrinkRatio = 8;

    private Node[] _nodes;
    private int _first;
    private int _nodeCount;
    private long _count;
    private long _nodeBytes;

    // The last element found by index, so the next or previous one is a step away. Valid while Version is unchanged.
    private long _fingerVersion = -1;
    private long _fingerIndex;
    private int _fingerNode;
    private int _fingerOffset;

    public ListObject()
        : this(InitialNodeSlots)
    {
    }

    private ListObject(int nodeSlots) => _nodes = new Node[nodeSlots];

    public override DataType Type => DataType.List;

    public override ReadOnlySpan<byte> EncodingName => "quicklist"u8;

    public override long Count => _count;

    public override long HeapSize => ObjectBytes + Entry.ArraySize(_nodes.Length, IntPtr.Size) + _nodeBytes;

    /// <summary>The element at <paramref name="index"/> (0 = head; must be in range), valid until the list changes.</summary>
    public ReadOnlySpan<byte> this[long index]
    {
        get
        {
            Locate(index, out var node, out var offset);
            return ElementAt(NodeAt(node).Buffer, offset);
        }
    }

    /// <summary>Redis's index rule: negative counts from the tail; false when out of range.</summary>
    public bool TryNormalize(long index, out int position)
    {
        if (index < 0)
        {
            index += _count;
        }

        position = (int)index;
        return index >= 0 && index < _count;
    }

    /// <summary>LPUSH / RPUSH of one element.</summary>
    public void Push(ReadOnlySpan<byte> element, bool head)
    {
        MarkChanged();
        var size = EntrySize(element.Length);
        var node = _nodeCount == 0 ? null : NodeAt(head ? 0 : _nodeCount - 1);
        if (node is null || node.Used + size > NodeBytes)
        {
            node = new Node(size);
            _nodeBytes += node.HeapSize;
            InsertNode(head ? 0 : _nodeCount, node);
        }

        var before = node.HeapSize;
        node.MakeRoom(size, head);
        _nodeBytes += node.HeapSize - before;
        if (head)
        {
            node.Start -= size;
            WriteEntry(node.Buffer, node.Start, element);
        }
        else
        {
            WriteEntry(node.Buffer, node.End, element);
            node.End += size;
        }

        node.Count++;
        _count++;
    }

    /// <summary>
    /// LPOP / RPOP of one element; the list must not be empty. The span stays valid until the list next changes
    /// (LMOVE to the same list copies it first).
    /// </summary>
    public ReadOnlySpan<byte> Pop(bool head)
    {
        MarkChanged();
        var nodeIndex = head ? 0 : _nodeCount - 1;
        var node = NodeAt(nodeIndex);
        int offset;
        if (head)
        {
            offset = node.Start;
            node.Start = NextEntry(node.Buffer, offset);
        }
        else
        {
            offset = PreviousEntry(node.Buffer, node.End);
            node.End = offset;
        }

        node.Count--;
        _count--;
        if (node.Count == 0)
        {
            RemoveNode(nodeIndex);
        }

        return ElementAt(node.Buffer, offset);
    }

    /// <summary>LSET: replaces the element at <paramref name="position"/> (in range).</summary>
    public void Set(int position, ReadOnlySpan<byte> element)
    {
        Locate(position, out var nodeIndex, out var offset);
        MarkChanged();
        var node = NodeAt(nodeIndex);
        Replace(node, offset, NextEntry(node.Buffer, offset) - offset, element, insert: true);
        SplitIfLarge(nodeIndex);
    }

    /// <summary>The position of the first element equal to <paramref name="element"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> element)
    {
        for (var i = 0; i < _count; i++)
        {
            if (this[i].SequenceEqual(element))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>LINSERT: <paramref name="element"/> becomes the element at <paramref name="position"/> (0..Count).</summary>
    public void Insert(int position, ReadOnlySpan<byte> element)
    {
        if (position == 0 || position == _count)
        {
            Push(element, head: position == 0);
            return;
        }

        Locate(position, out var nodeIndex, out var offset);
        MarkChanged();
        var node = NodeAt(nodeIndex);
        Replace(node, offset, 0, element, insert: true);
        node.Count++;
        _count++;
        SplitIfLarge(nodeIndex);
    }

    /// <summary>
    /// LREM: removes up to <paramref name="limit"/> elements equal to <paramref name="element"/> (0: all), from the
    /// head, or from the tail when <paramref name="fromTail"/>; returns how many went. One compacting pass a node.
    /// </summary>
    public long Remove(ReadOnlySpan<byte> element, long limit, bool fromTail)
    {
        long removed = 0;
        for (var step = 0; step < _nodeCount && (limit == 0 || removed < limit); step++)
        {
            var nodeIndex = fromTail ? _nodeCount - 1 - step : step;
            var node = NodeAt(nodeIndex);
            var before = removed;
            if (fromTail)
            {
                CompactBackward(node, element, limit, ref removed);
            }
            else
            {
                CompactForward(node, element, limit, ref removed);
            }

            if (removed == before)
            {
                continue;
            }

            MarkChanged();
            _count -= removed - before;
            if (node.Count == 0)
            {
                // The node at this step's index is the next one to visit from either end.
                RemoveNode(nodeIndex);
                step--;
            }
        }

        return removed;
    }

    /// <summary>LTRIM: keeps positions <paramref name="start"/> to <paramref name="stop"/> (already clamped; start &gt; stop empties).</summary>
    public void Trim(long start, long stop)
    {
        var keepFrom = Math.Max(0, start);
        var keepTo = Math.Min(_count - 1, stop);
        if (keepFrom > keepTo)
        {
            keepFrom = _count;
            keepTo = _count - 1;
        }

        if (keepFrom == 0 && keepTo == _count - 1)
        {
            return;
        }

        MarkChanged();
        DropFromEnd(_count - 1 - keepTo, head: false);
        DropFromEnd(keepFrom, head: true);
    }

    /// <summary>Removes <paramref name="n"/> elements at one end: whole nodes first, then entries of the last one.</summary>
    private void DropFromEnd(long n, bool head)
    {
        while (n > 0)
        {
            var nodeIndex = head ? 0 : _nodeCount - 1;
            var node = NodeAt(nodeIndex);
            if (node.Count <= n)
            {
                n -= node.Count;
                _count -= node.Count;
                node.Count = 0;
                RemoveNode(nodeIndex);
                continue;
            }

            for (; n > 0; n--)
            {
                if (head)
                {
                    node.Start = NextEntry(node.Buffer, node.Start);
                }
                else
                {
                    node.End = PreviousEntry(node.Buffer, node.End);
                }

                node.Count--;
                _count--;
            }
        }
    }

    /// <summary>Finds the node and the entry offset of <paramref name="index"/>, stepping from the finger when it is next to it.</summary>
    private void Locate(long index, out int nodeIndex, out int offset)
    {
        if (_fingerVersion == Version && Math.Abs(index - _fingerIndex) <= 1)
        {
            nodeIndex = _fingerNode;
            offset = _fingerOffset;
            if (index == _fingerIndex + 1)
            {
                offset = NextEntry(NodeAt(nodeIndex).Buffer, offset);
                if (offset == NodeAt(nodeIndex).End)
                {
                    nodeIndex++;
                    offset = NodeAt(nodeIndex).Start;
                }
            }
            else if (index == _fingerIndex - 1)
            {
                if (offset == NodeAt(nodeIndex).Start)
                {
                    nodeIndex--;
                    offset = NodeAt(nodeIndex).End;
                }

                offset = PreviousEntry(NodeAt(nodeIndex).Buffer, offset);
            }
        }
        else
        {
            Seek(index, out nodeIndex, out offset);
        }

        _fingerVersion = Version;
        _fingerIndex = index;
        _fingerNode = nodeIndex;
        _fingerOffset = offset;
    }

    /// <summary>Walks the nodes from the nearer end, then the entries of the node from its nearer end.</summary>
    private void Seek(long index, out int nodeIndex, out int offset)
    {
        long first;
        if (index < _count / 2)
        {
            first = 0;
            nodeIndex = 0;
            while (first + NodeAt(nodeIndex).Count <= index)
            {
                first += NodeAt(nodeIndex).Count;
                nodeIndex++;
            }
        }
        else
        {
            first = _count;
            nodeIndex = _nodeCount;
            do
            {
                nodeIndex--;
                first -= NodeAt(nodeIndex).Count;
            }
            while (first > index);
        }

        var node = NodeAt(nodeIndex);
        var within = (int)(index - first);
        if (within < node.Count / 2)
        {
            offset = node.Start;
            for (var i = 0; i < within; i++)
            {
                offset = NextEntry(node.Buffer, offset);
            }
        }
        else
        {
            offset = node.End;
            for (var i = node.Count; i > within; i--)
            {
                offset = PreviousEntry(node.Buffer, offset);
            }
        }
    }

    private Node NodeAt(int index)
    {
        var slot = _first + index;
        return _nodes[slot >= _nodes.Length ? slot - _nodes.Length : slot];
    }

    private void InsertNode(int index, Node node)
    {
        if (_nodeCount == _nodes.Length)
        {
            ResizeRing(_nodes.Length * 2);
        }

        if (index == 0)
        {
            _first = _first == 0 ? _nodes.Length - 1 : _first - 1;
        }
        else
        {
            for (var i = _nodeCount; i > index; i--)
            {
                _nodes[Slot(i)] = _nodes[Slot(i - 1)];
            }
        }

        _nodes[Slot(index)] = node;
        _nodeCount++;
    }

    private void RemoveNode(int index)
    {
        _nodeBytes -= NodeAt(index).HeapSize;
        if (index == 0)
        {
            _nodes[_first] = null!;
            _first = _first + 1 == _nodes.Length ? 0 : _first + 1;
        }
        else
        {
            for (var i = index; i < _nodeCount - 1; i++)
            {
                _nodes[Slot(i)] = _nodes[Slot(i + 1)];
            }

            _nodes[Slot(_nodeCount - 1)] = null!;
        }

        _nodeCount--;
        if (_nodeCount == 0)
        {
            _first = 0;
        }

        if (_nodes.Length > InitialNodeSlots && _nodeCount <= _nodes.Length / ShrinkRatio)
        {
            ResizeRing(Math.Max(InitialNodeSlots, _nodes.Length / 2));
        }
    }

    /// <summary>Splits a node that middle edits grew past twice the node size into two of about half.</summary>
    private void SplitIfLarge(int nodeIndex)
    {
        var node = NodeAt(nodeIndex);
        if (node.Used <= 2 * NodeBytes || node.Count < 2)
        {
            return;
        }

        var offset = node.Start;
        var keep = 0;
        while (offset - node.Start < node.Used / 2 && keep < node.Count - 1)
        {
            offset = NextEntry(node.Buffer, offset);
            keep++;
        }

        var tail = new Node(node.End - offset);
        node.Buffer.AsSpan(offset, node.End - offset).CopyTo(tail.Buffer);
        tail.End = node.End - offset;
        tail.Count = node.Count - keep;
        var before = node.HeapSize;
        node.End = offset;
        node.Count = keep;
        node.Shrink();
        _nodeBytes += node.HeapSize - before + tail.HeapSize;
        InsertNode(nodeIndex + 1, tail);
    }

    private int Slot(int index)
    {
        var slot = _first + index;
        return slot >= _nodes.Length ? slot - _nodes.Length : slot;
    }

    /// <summary>A new ring of <paramref name="capacity"/> slots with the nodes from slot 0.</summary>
    private void ResizeRing(int capacity)
    {
        var nodes = new Node[capacity];
        var first = Math.Min(_nodeCount, _nodes.Length - _first);
        Array.Copy(_nodes, _first, nodes, 0, first);
        Array.Copy(_nodes, 0, nodes, first, _nodeCount - first);
        _nodes = nodes;
        _first = 0;
    }
}
