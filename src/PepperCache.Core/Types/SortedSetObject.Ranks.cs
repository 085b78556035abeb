namespace PepperCache.Core.Types;

// Ranks: where a member or a bound falls in the order, walks from a rank either way, removal of a run of ranks.
// Every range command reduces to these: a score or lex range is the ranks between two counts of members below it.
public sealed partial class SortedSetObject
{
    /// <summary>The member's 0-based rank, lowest score first; -1 when it is not a member.</summary>
    public long RankOf(ReadOnlySpan<byte> member)
    {
        if (IsListpack)
        {
            return ListpackIndexOf(member);
        }

        var node = FindNode(member, HashOf(member));
        return node is null ? -1 : RankOfNode(node) - 1;
    }

    /// <summary>How many members score below <paramref name="score"/> (or at most it, with <paramref name="orEqual"/>).</summary>
    public long CountBelow(double score, bool orEqual)
    {
        if (IsListpack)
        {
            var i = 0;
            while (i < _count && (_items![i].Score < score || (orEqual && _items[i].Score == score)))
            {
                i++;
            }

            return i;
        }

        var traversed = 0L;
        var x = _header;
        for (var level = _level - 1; level >= 0; level--)
        {
            while (x.Forward(level) is { } next && (next.Score < score || (orEqual && next.Score == score)))
            {
                traversed += x.Span(level);
                x = next;
            }
        }

        return traversed;
    }

    /// <summary>
    /// How many members sort below <paramref name="member"/> by their bytes alone (or at most it, with
    /// <paramref name="orEqual"/>): meaningful when all scores are equal, as Redis's lex ranges assume.
    /// </summary>
    public long CountBelowLex(ReadOnlySpan<byte> member, bool orEqual)
    {
        if (IsListpack)
        {
            var i = 0;
            while (i < _count && IsBelow(_items![i].Member, member, orEqual))
            {
                i++;
            }

            return i;
        }

        var traversed = 0L;
        var x = _header;
        for (var level = _level - 1; level >= 0; level--)
        {
            while (x.Forward(level) is { } next && IsBelow(next.Member, member, orEqual))
            {
                traversed += x.Span(level);
                x = next;
            }
        }

        return traversed;
    }

    private static bool IsBelow(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> bound, bool orEqual)
    {
        var order = candidate.SequenceCompareTo(bound);
        return order < 0 || (orEqual && order == 0);
    }

    /// <summary>Walks the members from the 0-based <paramref name="rank"/>, up the order or (reverse) down it.</summary>
    public Walker WalkFrom(long rank, bool reverse) => new(this, rank, reverse);

    /// <summary>A walker on the member at a 0-based rank, which must be below <see cref="Count"/>.</summary>
    public Walker At(long rank)
    {
        var walker = WalkFrom(rank, reverse: false);
        walker.MoveNext();
        return walker;
    }

    /// <summary>Removes the members at 0-based ranks <paramref name="start"/> to <paramref name="end"/> inclusive (both valid).</summary>
    public void RemoveRange(long start, long end)
    {
        if (end < start)
        {
            return;
        }

        MarkChanged();
        if (IsListpack)
        {
            var items = _items!;
            var from = (int)start;
            var removed = (int)(end - start + 1);
            for (var i = from; i < from + removed; i++)
            {
                _memberBytes -= MemberSize(items[i].Member);
            }

            Array.Copy(items, from + removed, items, from, _count - from - removed);
            Array.Clear(items, _count - removed, removed);
            _count -= removed;
            return;
        }

        var node = NodeAtRank(start + 1);
        for (var rank = start; rank <= end && node is not null; rank++)
        {
            var next = node.Next;
            DeleteNode(node);
            FreeSlot(SlotOf(node.Member, HashOf(node.Member)));
            node = next;
        }
    }

    /// <summary>A walk over members by rank (see <see cref="WalkFrom"/>); Member and Score hold the current one.</summary>
    public struct Walker
    {
        private readonly SortedSetObject _set;
        private readonly bool _reverse;
        private long _index;
        private Node? _node;
        private byte[] _item;
        private bool _started;

        internal Walker(SortedSetObject set, long rank, bool reverse)
        {
            _set = set;
            _reverse = reverse;
            _index = reverse ? set.Count - 1 - rank : rank;
            _node = null;
            _started = false;
            _item = [];
        }

        /// <summary>The current member, read in place (a skip list's short members live in their nodes).</summary>
        public readonly ReadOnlySpan<byte> Member => _node is { } node ? node.Member : _item;

        public double Score { get; private set; }

        public bool MoveNext()
        {
            var set = _set;
            if (set.IsListpack)
            {
                if (_started)
                {
                    _index += _reverse ? -1 : 1;
                }

                _started = true;
                if (_index < 0 || _index >= set._count)
                {
                    return false;
                }

                var item = set._items![_index];
                _item = item.Member;
                Score = item.Score;
                return true;
            }

            if (!_started)
            {
                _started = true;
                _node = _index >= 0 && _index < set._length ? set.NodeAtRank(_index + 1) : null;
            }
            else if (_node is not null)
            {
                _node = _reverse ? _node.Backward : _node.Next;
            }

            if (_node is null)
            {
                return false;
            }

            Score = _node.Score;
            return true;
        }

        /// <summary>
        /// The current member as an array, for a caller that keeps it: the member's own array where it has one
        /// (members are immutable, so it is shared), else a copy.
        /// </summary>
        public readonly byte[] MemberArray() => _node is { } node ? node.MemberArray() : _item;
    }
}
