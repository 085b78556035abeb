using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// Walking the fields: in slot order (a listpack's is insertion order), HSCAN's cursor, HRANDFIELD's draws.
public sealed partial class HashObject
{
    /// <summary>Slot indexes in use are below this (for walks by index).</summary>
    public int SlotLimit => _highWater;

    /// <summary>The pair in slot <paramref name="index"/>, or null for a free slot.</summary>
    public byte[]? PairAt(int index) => _slots[index].Pair;

    /// <summary>The pairs in slot order: <c>foreach (var pair in hash)</c>, then <see cref="FieldOf"/> and <see cref="ValueOf"/>.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>
    /// HSCAN: adds to <paramref name="into"/> the pairs whose field matches <paramref name="pattern"/> (empty: all) and
    /// returns the next cursor, 0 when done. A listpack answers everything at once with cursor 0, as Redis does. A
    /// hashtable walks slots upward from <paramref name="cursor"/> until it has visited <paramref name="count"/> fields
    /// or examined ten times as many slots (Redis's maxiterations); slots never move, so a field present for the whole
    /// scan is returned at least once.
    /// </summary>
    public long Scan(long cursor, int count, ReadOnlySpan<byte> pattern, List<byte[]> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (_buckets is null)
        {
            for (var i = 0; i < _highWater; i++)
            {
                AddIfMatch(_slots[i].Pair!, pattern, into);
            }

            return 0;
        }

        if (cursor < 0 || cursor >= _highWater)
        {
            return 0;
        }

        var visited = 0;
        var examined = 0L;
        var maxExamined = Math.Max(count, 1) * 10L;
        var index = (int)cursor;
        for (; index < _highWater && visited < count && examined < maxExamined; index++, examined++)
        {
            if (_slots[index].Pair is { } pair)
            {
                visited++;
                AddIfMatch(pair, pattern, into);
            }
        }

        return index >= _highWater ? 0 : index;
    }

    /// <summary>One pair chosen uniformly at random (the hash must not be empty).</summary>
    public byte[] RandomPair(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return _slots[RandomIndex(random)].Pair!;
    }

    /// <summary>
    /// <paramref name="count"/> distinct pairs chosen at random, in no particular order; <paramref name="count"/> must
    /// be below <see cref="Count"/> (HRANDFIELD with a positive count answers the whole hash otherwise).
    /// </summary>
    public void RandomDistinctPairs(int count, Random random, List<byte[]> into)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(into);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(count, Count);
        var start = into.Count;
        if (count * 3L <= Count)
        {
            // Few of many: draw until enough distinct slots (each draw is new with probability above 2/3).
            var chosen = new HashSet<int>(count);
            for (var draws = 0L; chosen.Count < count && draws < (count * 64L) + 1024; draws++)
            {
                var index = RandomIndex(random);
                if (chosen.Add(index))
                {
                    into.Add(_slots[index].Pair!);
                }
            }

            if (chosen.Count == count)
            {
                return;
            }

            into.RemoveRange(start, into.Count - start);
        }

        // Many of the hash (Redis's case 3): take all, keep a random selection of them.
        foreach (var pair in this)
        {
            into.Add(pair);
        }

        var total = into.Count - start;
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, total);
            (into[start + i], into[start + j]) = (into[start + j], into[start + i]);
        }

        into.RemoveRange(start + count, total - count);
    }

    private static void AddIfMatch(byte[] pair, ReadOnlySpan<byte> pattern, List<byte[]> into)
    {
        if (pattern.IsEmpty || GlobPattern.IsMatch(pattern, FieldOf(pair)))
        {
            into.Add(pair);
        }
    }

    /// <summary>A live slot chosen uniformly: direct when dense, else by rejection, with a bounded walk as the last resort.</summary>
    private int RandomIndex(Random random)
    {
        if (_freeCount == 0)
        {
            return random.Next(_highWater);
        }

        for (var attempt = 0; attempt < 64; attempt++)
        {
            var index = random.Next(_highWater);
            if (_slots[index].Pair is not null)
            {
                return index;
            }
        }

        var from = random.Next(_highWater);
        for (var i = 0; i < _highWater; i++)
        {
            var index = (from + i) % _highWater;
            if (_slots[index].Pair is not null)
            {
                return index;
            }
        }

        throw new InvalidOperationException("The hash is empty.");
    }

    /// <summary>Enumerates the live pairs in slot order.</summary>
    public struct Enumerator(HashObject hash)
    {
        private int _index = -1;

        public readonly byte[] Current => hash._slots[_index].Pair!;

        public bool MoveNext()
        {
            while (++_index < hash._highWater)
            {
                if (hash._slots[_index].Pair is not null)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
