using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

/// <summary>
/// A Redis list: binary-safe elements in order. Read and changed only under its key's shard lock. Split by concern:
/// this file (the deque: ends, indexes, middle edits) and <c>ListObject.Persistence.cs</c> (clone, AOF, payload).
/// </summary>
/// <remarks>
/// <para>
/// A ring buffer of element arrays: push and pop at either end are O(1) (amortised over the doublings), an index is
/// O(1), an insertion or removal in the middle moves the shorter side. Each element is its own immutable array, so
/// LSET stores a new one, a clone copies only the ring and shares the elements, and a reply may be written from
/// elements gathered under the lock.
/// </para>
/// <para>
/// Redis 7.0 keeps every list as a quicklist (7.2 added a listpack encoding for small ones), so OBJECT ENCODING
/// always answers <c>quicklist</c> here, whatever the size.
/// </para>
/// <para>
/// <see cref="HeapSize"/> is kept exact as it changes: the object, its ring array, and every element, each array
/// counted as <see cref="Entry.ArraySize"/> does.
/// </para>
/// </remarks>
public sealed partial class ListObject : StoreObject
{
    /// <summary>Managed bytes of the object itself: header, method table and fields (measured by a test).</summary>
    internal const int ObjectBytes = 48;

    private const int InitialCapacity = 4;

    // A ring shrinks to half when it is at most an eighth full, so a list that grew and emptied gives memory back
    // without bouncing between sizes at a boundary.
    private const int ShrinkRatio = 8;

    private byte[][] _items;
    private int _head;
    private int _count;
    private long _elementBytes;

    public ListObject()
        : this(InitialCapacity)
    {
    }

    private ListObject(int capacity) => _items = new byte[capacity][];

    public override DataType Type => DataType.List;

    public override ReadOnlySpan<byte> EncodingName => "quicklist"u8;

    public override long Count => _count;

    public override long HeapSize => ObjectBytes + Entry.ArraySize(_items.Length, IntPtr.Size) + _elementBytes;

    /// <summary>The element at <paramref name="index"/> (0 = head; must be in range).</summary>
    public byte[] this[long index] => _items[Slot(index)];

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
    public void Push(ReadOnlySpan<byte> element, bool head) => Push(element.ToArray(), head);

    /// <summary>Pushes <paramref name="item"/> itself, which no one may change afterwards (LMOVE passes a popped element on).</summary>
    public void Push(byte[] item, bool head)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_count == _items.Length)
        {
            Resize(_items.Length * 2);
        }

        MarkChanged();
        if (head)
        {
            _head = _head == 0 ? _items.Length - 1 : _head - 1;
            _items[_head] = item;
        }
        else
        {
            _items[Slot(_count)] = item;
        }

        _count++;
        _elementBytes += ElementSize(item);
    }

    /// <summary>LPOP / RPOP of one element; the list must not be empty.</summary>
    public byte[] Pop(bool head)
    {
        MarkChanged();
        byte[] item;
        if (head)
        {
            item = _items[_head];
            _items[_head] = null!;
            _head = _head + 1 == _items.Length ? 0 : _head + 1;
        }
        else
        {
            var slot = Slot(_count - 1);
            item = _items[slot];
            _items[slot] = null!;
        }

        _count--;
        _elementBytes -= ElementSize(item);
        if (_count == 0)
        {
            _head = 0;
        }

        ShrinkIfSparse();
        return item;
    }

    /// <summary>LSET: replaces the element at <paramref name="position"/> (in range).</summary>
    public void Set(int position, ReadOnlySpan<byte> element)
    {
        var item = element.ToArray();
        ref var slot = ref _items[Slot(position)];
        MarkChanged();
        _elementBytes += ElementSize(item) - ElementSize(slot);
        slot = item;
    }

    /// <summary>The position of the first element equal to <paramref name="element"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> element)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_items[Slot(i)].AsSpan().SequenceEqual(element))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>LINSERT: <paramref name="element"/> becomes the element at <paramref name="position"/> (0.._count).</summary>
    public void Insert(int position, ReadOnlySpan<byte> element)
    {
        if (position == 0 || position == _count)
        {
            Push(element, head: position == 0);
            return;
        }

        var item = element.ToArray();
        if (_count == _items.Length)
        {
            Resize(_items.Length * 2);
        }

        MarkChanged();
        if (position < _count / 2)
        {
            // Move the head side one step towards the front.
            _head = _head == 0 ? _items.Length - 1 : _head - 1;
            for (var i = 0; i < position; i++)
            {
                _items[Slot(i)] = _items[Slot(i + 1)];
            }
        }
        else
        {
            for (var i = _count; i > position; i--)
            {
                _items[Slot(i)] = _items[Slot(i - 1)];
            }
        }

        _items[Slot(position)] = item;
        _count++;
        _elementBytes += ElementSize(item);
    }

    /// <summary>
    /// LREM: removes up to <paramref name="limit"/> elements equal to <paramref name="element"/> (0: all), from the
    /// head, or from the tail when <paramref name="fromTail"/>; returns how many went. One compacting pass.
    /// </summary>
    public long Remove(ReadOnlySpan<byte> element, long limit, bool fromTail)
    {
        long removed = 0;
        if (fromTail)
        {
            var write = _count - 1;
            for (var read = _count - 1; read >= 0; read--)
            {
                var item = _items[Slot(read)];
                if ((limit == 0 || removed < limit) && item.AsSpan().SequenceEqual(element))
                {
                    removed++;
                    _elementBytes -= ElementSize(item);
                    continue;
                }

                _items[Slot(write--)] = item;
            }

            // The survivors now end at the tail: clear the freed front and move the head past it.
            for (var i = 0; i < removed; i++)
            {
                _items[Slot(i)] = null!;
            }

            _head = _count == removed ? 0 : Slot((int)removed);
        }
        else
        {
            var write = 0;
            for (var read = 0; read < _count; read++)
            {
                var item = _items[Slot(read)];
                if ((limit == 0 || removed < limit) && item.AsSpan().SequenceEqual(element))
                {
                    removed++;
                    _elementBytes -= ElementSize(item);
                    continue;
                }

                _items[Slot(write++)] = item;
            }

            for (var i = write; i < _count; i++)
            {
                _items[Slot(i)] = null!;
            }

            if (write == 0)
            {
                _head = 0;
            }
        }

        if (removed > 0)
        {
            MarkChanged();
            _count -= (int)removed;
            ShrinkIfSparse();
        }

        return removed;
    }

    /// <summary>LTRIM: keeps positions <paramref name="start"/> to <paramref name="stop"/> (already clamped; start &gt; stop empties).</summary>
    public void Trim(long start, long stop)
    {
        var keepFrom = (int)Math.Max(0, start);
        var keepTo = (int)Math.Min(_count - 1, stop);
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
        for (var i = 0; i < keepFrom; i++)
        {
            ref var slot = ref _items[Slot(i)];
            _elementBytes -= ElementSize(slot);
            slot = null!;
        }

        for (var i = keepTo + 1; i < _count; i++)
        {
            ref var slot = ref _items[Slot(i)];
            _elementBytes -= ElementSize(slot);
            slot = null!;
        }

        _count = keepTo - keepFrom + 1;
        _head = _count == 0 ? 0 : Slot(keepFrom);
        ShrinkIfSparse();
    }

    private static long ElementSize(byte[] item) => Entry.ArraySize(item.Length, 1);

    private int Slot(long position)
    {
        var slot = _head + position;
        return (int)(slot >= _items.Length ? slot - _items.Length : slot);
    }

    private void ShrinkIfSparse()
    {
        if (_items.Length > InitialCapacity && _count <= _items.Length / ShrinkRatio)
        {
            Resize(Math.Max(InitialCapacity, _items.Length / 2));
        }
    }

    /// <summary>A new ring of <paramref name="capacity"/> with the elements from index 0.</summary>
    private void Resize(int capacity)
    {
        var items = new byte[capacity][];
        var first = Math.Min(_count, _items.Length - _head);
        Array.Copy(_items, _head, items, 0, first);
        Array.Copy(_items, 0, items, first, _count - first);
        _items = items;
        _head = 0;
    }
}
