using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// ZSCAN's cursor and ZRANDMEMBER's draws.
public sealed partial class SortedSetObject
{
    /// <summary>
    /// ZSCAN: adds to <paramref name="into"/> the (member, score) pairs whose member matches <paramref name="pattern"/>
    /// (empty: all) and returns the next cursor, 0 when done. A listpack answers everything at once with cursor 0, as
    /// Redis does. A skip list walks the member table's slots upward from <paramref name="cursor"/> until it has
    /// visited <paramref name="count"/> members or examined ten times as many slots; slots never move (growth keeps
    /// indexes, removal leaves a hole), so a member present for the whole scan is returned at least once.
    /// </summary>
    public long Scan(long cursor, int count, ReadOnlySpan<byte> pattern, List<(byte[] Member, double Score)> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (IsListpack)
        {
            for (var i = 0; i < _count; i++)
            {
                AddIfMatch(_items![i].Member, _items[i].Member, _items[i].Score, pattern, into);
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
            if (_slots[index].Node is { } node)
            {
                visited++;
                AddIfMatch(node.Member, node, node.Score, pattern, into);
            }
        }

        return index >= _highWater ? 0 : index;
    }

    /// <summary>A 0-based rank chosen uniformly (the set must not be empty).</summary>
    public long RandomRank(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return random.NextInt64(Count);
    }

    /// <summary>
    /// <paramref name="count"/> distinct 0-based ranks chosen at random, in rank order; <paramref name="count"/> must be
    /// below <see cref="Count"/> (ZRANDMEMBER with a larger positive count answers the whole set).
    /// </summary>
    public void RandomDistinctRanks(int count, Random random, List<long> into)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(into);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(count, Count);
        var chosen = new HashSet<long>(count);
        if (count * 3L <= Count)
        {
            while (chosen.Count < count)
            {
                chosen.Add(random.NextInt64(Count));
            }
        }
        else
        {
            // Many of the set: leave out Count - count ranks instead.
            var left = new HashSet<long>();
            while (left.Count < Count - count)
            {
                left.Add(random.NextInt64(Count));
            }

            for (var rank = 0L; rank < Count; rank++)
            {
                if (!left.Contains(rank))
                {
                    chosen.Add(rank);
                }
            }
        }

        into.AddRange(chosen);
        into.Sort();
    }

    // The owner (an array, or the node to copy the member from) is made an array only for a member that matches.
    private static void AddIfMatch(ReadOnlySpan<byte> member, object owner, double score, ReadOnlySpan<byte> pattern, List<(byte[] Member, double Score)> into)
    {
        if (pattern.IsEmpty || GlobPattern.IsMatch(pattern, member))
        {
            into.Add((owner as byte[] ?? ((Node)owner).MemberArray(), score));
        }
    }
}
