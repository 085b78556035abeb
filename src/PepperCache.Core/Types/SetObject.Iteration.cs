using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// Walking the members: in order (an intset's is ascending), SSCAN's cursor, SRANDMEMBER's and SPOP's draws.
public sealed partial class SetObject
{
    /// <summary>The members in order: ascending for an intset, slot order for a hashtable.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>
    /// SSCAN: adds to <paramref name="into"/> the members that match <paramref name="pattern"/> (empty: all) and returns
    /// the next cursor, 0 when done. An intset answers everything at once with cursor 0, as Redis does. A hashtable
    /// walks slots upward from <paramref name="cursor"/> until it has visited <paramref name="count"/> members or
    /// examined ten times as many slots (Redis's maxiterations); slots never move, so a member present for the whole
    /// scan is returned at least once.
    /// </summary>
    public long Scan(long cursor, int count, ReadOnlySpan<byte> pattern, List<SetMember> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (_integers is not null)
        {
            Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
            for (var i = 0; i < _intCount; i++)
            {
                var member = new SetMember(_integers[i]);
                if (pattern.IsEmpty || GlobPattern.IsMatch(pattern, member.Format(text)))
                {
                    into.Add(member);
                }
            }

            return 0;
        }

        if (cursor < 0 || cursor >= _highWater)
        {
            return 0;
        }

        var slots = _slots!;
        var visited = 0;
        var examined = 0L;
        var maxExamined = Math.Max(count, 1) * 10L;
        var index = (int)cursor;
        for (; index < _highWater && visited < count && examined < maxExamined; index++, examined++)
        {
            if (slots[index].Member is { } member)
            {
                visited++;
                if (pattern.IsEmpty || GlobPattern.IsMatch(pattern, member))
                {
                    into.Add(new SetMember(member));
                }
            }
        }

        return index >= _highWater ? 0 : index;
    }

    /// <summary>One member chosen uniformly at random (the set must not be empty).</summary>
    public SetMember RandomMember(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return _integers is not null ? new SetMember(_integers[random.Next(_intCount)]) : new SetMember(_slots![RandomIndex(random)].Member!);
    }

    /// <summary>
    /// <paramref name="count"/> distinct members chosen at random, in no particular order; <paramref name="count"/> must
    /// be below <see cref="Count"/> (SRANDMEMBER and SPOP answer the whole set otherwise).
    /// </summary>
    public void RandomDistinctMembers(int count, Random random, List<SetMember> into)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(into);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(count, Count);
        var start = into.Count;
        if (count * 3L <= Count)
        {
            // Few of many: draw positions until enough distinct ones (each draw is new with probability above 2/3).
            var chosen = new HashSet<int>(count);
            for (var draws = 0L; chosen.Count < count && draws < (count * 64L) + 1024; draws++)
            {
                var index = _integers is not null ? random.Next(_intCount) : RandomIndex(random);
                if (chosen.Add(index))
                {
                    into.Add(_integers is not null ? new SetMember(_integers[index]) : new SetMember(_slots![index].Member!));
                }
            }

            if (chosen.Count == count)
            {
                return;
            }

            into.RemoveRange(start, into.Count - start);
        }

        // Many of the set (Redis's case 3): take all, keep a random selection of them.
        foreach (var member in this)
        {
            into.Add(member);
        }

        var total = into.Count - start;
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, total);
            (into[start + i], into[start + j]) = (into[start + j], into[start + i]);
        }

        into.RemoveRange(start + count, total - count);
    }

    /// <summary>A live slot chosen uniformly: direct when dense, else by rejection, with a bounded walk as the last resort.</summary>
    private int RandomIndex(Random random)
    {
        var slots = _slots!;
        if (_freeCount == 0)
        {
            return random.Next(_highWater);
        }

        for (var attempt = 0; attempt < 64; attempt++)
        {
            var index = random.Next(_highWater);
            if (slots[index].Member is not null)
            {
                return index;
            }
        }

        var from = random.Next(_highWater);
        for (var i = 0; i < _highWater; i++)
        {
            var index = (from + i) % _highWater;
            if (slots[index].Member is not null)
            {
                return index;
            }
        }

        throw new InvalidOperationException("The set is empty.");
    }

    /// <summary>Enumerates the members: an intset's integers, or a hashtable's live slots in slot order.</summary>
    public struct Enumerator(SetObject set)
    {
        private int _index = -1;

        public readonly SetMember Current =>
            set._integers is { } integers ? new SetMember(integers[_index]) : new SetMember(set._slots![_index].Member!);

        public bool MoveNext()
        {
            if (set._integers is not null)
            {
                return ++_index < set._intCount;
            }

            var slots = set._slots!;
            while (++_index < set._highWater)
            {
                if (slots[_index].Member is not null)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
