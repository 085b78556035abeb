using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>
/// One SORT: its options (set by <see cref="SortCommands"/>), then the steps of Redis's sortCommandGeneric: load the
/// elements (only the LIMIT window when nothing is sorted), weigh and sort them, and turn the window into the answer
/// or the stored list. The elements are copied out, as Redis copies them into its sort vector.
/// </summary>
internal sealed class SortJob(byte[] key)
{
    private List<Item> _items = [];
    private List<byte[]?> _output = [];
    private long _start;
    private long _end;

    public bool Descending;
    public bool Alpha;
    public bool DontSort;
    public long LimitStart;
    public long LimitCount = -1;
    public int StoreIndex = -1;
    public byte[]? By;

    public List<byte[]> Gets { get; } = [];

    /// <summary>An element's weight could not be read as a double: the answer is Redis's error, nothing is stored.</summary>
    public bool ConversionFailed { get; private set; }

    /// <summary>Elements answered or stored: the window's size, times the number of GET patterns if any.</summary>
    public long OutputLength => (Gets.Count > 0 ? Gets.Count : 1) * (_end - _start + 1);

    /// <summary>The list stored at the destination; null when nothing was (an empty result deletes it).</summary>
    public ListObject? Stored { get; private set; }

    /// <summary>Whether the patterns read keys other than the one sorted (and so the sort cannot hold their locks).</summary>
    public bool ReadsOtherKeys => (!DontSort && By is not null && SortPattern.ReadsKeys(By)) || Gets.Exists(g => SortPattern.ReadsKeys(g));

    /// <summary>Reads the elements of the sorted key (a missing key is an empty list); WRONGTYPE for a string or hash.</summary>
    public void Load(LockedKeys keys)
    {
        var type = DataType.List;
        StoreObject? value = null;
        if (keys.TryRead(key, out var found, out value))
        {
            if (found is not (DataType.List or DataType.Set or DataType.SortedSet))
            {
                WrongTypeException.Throw();
            }

            type = found;
            if (value is SortedSetObject { IsListpack: true })
            {
                // Redis converts a listpack sorted set it sorts to a skip list, SORT_RO too, and it stays one.
                var sorted = (SortedSetObject)keys.Find(key, DataType.SortedSet)!;
                var before = sorted.HeapSize;
                sorted.ConvertToSkipListForSort();
                keys.Changed(key, before);
            }
        }

        // A set has no order of its own to keep: stored, it is sorted by its bytes, so the result replays the same.
        if (DontSort && type == DataType.Set && StoreIndex >= 0)
        {
            DontSort = false;
            Alpha = true;
            By = null;
        }

        var length = value?.Count ?? 0;
        _start = Math.Min(Math.Max(LimitStart, 0), length);
        var count = Math.Min(Math.Max(LimitCount, -1), length);
        _end = count < 0 ? length - 1 : _start + count - 1;
        if (_start >= length)
        {
            _start = length - 1;
            _end = length - 2;
        }

        _end = Math.Min(_end, length - 1);
        _items = new List<Item>((int)Math.Min(length, 1024));
        if (DontSort && type is DataType.List or DataType.SortedSet)
        {
            // Nothing to sort: only the window is read, in the key's own order (from the far end for DESC).
            LoadWindow(value);
        }
        else
        {
            LoadAll(value);
        }
    }

    /// <summary>Weighs the elements (their own value, or what BY names) and sorts them, unless nothing is to be sorted.</summary>
    public void Sort(KeyValueStore store)
    {
        if (DontSort)
        {
            return;
        }

        var items = _items;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var weight = item.Value;
            if (By is { } pattern)
            {
                if (SortPattern.Lookup(store, pattern, item.Value) is not { } named)
                {
                    // Nothing there: a weight of 0, or ahead of every element that has one under ALPHA.
                    continue;
                }

                weight = named;
            }

            if (Alpha)
            {
                item.CompareBy = By is null ? null : weight;
            }
            else if (!SortedSetScore.TryParseSortWeight(weight, out item.Score))
            {
                ConversionFailed = true;
            }

            items[i] = item;
        }

        // Redis answers an error then, whatever the order; a NaN weight would not be an order to sort by.
        if (!ConversionFailed)
        {
            items.Sort(Compare);
        }
    }

    /// <summary>The window, each element answered as itself or as what each GET pattern names.</summary>
    public void Collect(KeyValueStore store)
    {
        _output = new List<byte[]?>((int)Math.Min(OutputLength, 1024));
        for (var j = _start; j <= _end; j++)
        {
            var element = _items[(int)j].Value;
            if (Gets.Count == 0)
            {
                _output.Add(element);
                continue;
            }

            foreach (var pattern in Gets)
            {
                _output.Add(SortPattern.Lookup(store, pattern, element));
            }
        }
    }

    public void Reply(CommandContext context)
    {
        if (ConversionFailed)
        {
            context.WriteError("ERR One or more scores can't be converted into double");
            return;
        }

        context.Output.WriteArrayHeader(_output.Count);
        foreach (var element in _output)
        {
            if (element is null)
            {
                context.Output.WriteNull(context.Resp3);
            }
            else
            {
                context.Output.WriteBulkString(element);
            }
        }
    }

    /// <summary>STORE: the result as a list at <paramref name="destination"/> in place of anything there, or none when empty.</summary>
    public void Store(LockedKeys keys, ReadOnlySpan<byte> destination)
    {
        if (_output.Count == 0)
        {
            keys.Store(destination, null);
            return;
        }

        var list = new ListObject();
        foreach (var element in _output)
        {
            // A GET that names nothing stores an empty string.
            list.Push(element ?? [], head: false);
        }

        keys.Store(destination, list);
        Stored = list;
    }

    private void LoadWindow(StoreObject? value)
    {
        if (_end < _start)
        {
            return;
        }

        var take = _end - _start + 1;
        if (value is ListObject list)
        {
            var index = Descending ? list.Count - _start - 1 : _start;
            for (var n = 0; n < take; n++, index += Descending ? -1 : 1)
            {
                _items.Add(new Item(list[index].ToArray(), n));
            }
        }
        else if (value is SortedSetObject set)
        {
            var walk = set.WalkFrom(_start, Descending);
            for (var n = 0; n < take && walk.MoveNext(); n++)
            {
                _items.Add(new Item(walk.Member.ToArray(), n));
            }
        }

        _end -= _start;
        _start = 0;
    }

    private void LoadAll(StoreObject? value)
    {
        switch (value)
        {
            case ListObject list:
                for (var i = 0; i < list.Count; i++)
                {
                    _items.Add(new Item(list[i].ToArray(), i));
                }

                break;
            case SetObject set:
                foreach (var member in set)
                {
                    _items.Add(new Item(member.ToArray(), _items.Count));
                }

                break;
            case SortedSetObject sorted:
                var walk = sorted.WalkFrom(0, reverse: false);
                while (walk.MoveNext())
                {
                    _items.Add(new Item(walk.Member.ToArray(), _items.Count));
                }

                break;
        }
    }

    /// <summary>
    /// Redis's sortCompare: numbers by weight, ties by the elements' bytes; ALPHA by the BY values (a missing one
    /// first) or by the elements, as bytes when storing and as C strings (strcoll in the C locale) when answering.
    /// Reversed for DESC; what is still equal keeps its load order, as glibc's merge sort under Redis's qsort does.
    /// </summary>
    private int Compare(Item a, Item b)
    {
        int cmp;
        if (!Alpha)
        {
            cmp = a.Score > b.Score ? 1 : a.Score < b.Score ? -1 : a.Value.AsSpan().SequenceCompareTo(b.Value);
        }
        else if (By is not null)
        {
            cmp = a.CompareBy is null || b.CompareBy is null
                ? (a.CompareBy is null ? 0 : 1) - (b.CompareBy is null ? 0 : 1)
                : CompareText(a.CompareBy, b.CompareBy);
        }
        else
        {
            cmp = CompareText(a.Value, b.Value);
        }

        cmp = Math.Sign(cmp);
        if (Descending)
        {
            cmp = -cmp;
        }

        return cmp != 0 ? cmp : a.Order.CompareTo(b.Order);
    }

    private int CompareText(byte[] a, byte[] b) => StoreIndex >= 0
        ? a.AsSpan().SequenceCompareTo(b)
        : CString.Of(a).SequenceCompareTo(CString.Of(b));

    private struct Item(byte[] value, int order)
    {
        public readonly byte[] Value = value;
        public readonly int Order = order;
        public double Score;
        public byte[]? CompareBy;
    }
}
