namespace PepperCache.Core.Storage;

// Iteration: KEYS and SCAN.
public sealed partial class KeyValueStore
{
    /// <summary>KEYS: every live key matching the glob <paramref name="pattern"/> (Redis's stringmatch rules).</summary>
    /// <remarks>Expired keys are skipped and reclaimed. Each shard is read under its lock, one shard at a time.</remarks>
    public void Keys(ReadOnlySpan<byte> pattern, List<byte[]> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var matchAll = IsMatchAll(pattern);
        var now = Now;
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                for (var slot = 0; slot < limit && shard.Count > 0; slot++)
                {
                    CollectSlot(shard, slot, pattern, matchAll, now, into);
                }
            }
        }
    }

    /// <summary>
    /// SCAN: examines about <paramref name="count"/> slots from <paramref name="cursor"/>, adding live keys that
    /// match <paramref name="pattern"/> (empty = all) and hold <paramref name="type"/> (null = any), and returns the next cursor (0 when done). A key present for
    /// the whole scan is returned at least once.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The cursor is <c>(slot &lt;&lt; shardBits) | shard</c>: the scan walks shard 0's slots upward, then shard 1's,
    /// and so on. Slots never move (see <see cref="StoreShard"/>), so a key that stays put sits in a slot the walk
    /// has yet to reach or has already passed, whatever is added, removed or grown meanwhile. Keys added during a
    /// scan may or may not be returned, and a key removed and added again may be returned twice, as in Redis.
    /// </para>
    /// <para>
    /// Empty shards cost nothing against <paramref name="count"/>. A cursor this store cannot have produced
    /// (negative, or a slot beyond any possible table) ends the scan: 0 and no keys.
    /// </para>
    /// </remarks>
    public long Scan(long cursor, ReadOnlySpan<byte> pattern, int count, List<byte[]> into, DataType? type = null)
    {
        ArgumentNullException.ThrowIfNull(into);
        var shardBits = 64 - _shardShift;
        if (cursor < 0 || (cursor >> shardBits) > Array.MaxLength)
        {
            return 0;
        }

        var shardIndex = (int)(cursor & (_shards.Length - 1));
        var slot = (int)(cursor >> shardBits);
        var budget = Math.Max(count, 1);
        var matchAll = IsMatchAll(pattern);
        var now = Now;
        while (true)
        {
            var shard = _shards[shardIndex];
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                if (shard.Count > 0)
                {
                    for (; slot < limit && budget > 0; slot++, budget--)
                    {
                        CollectSlot(shard, slot, pattern, matchAll, now, into, type);
                    }

                    if (slot < limit)
                    {
                        return ((long)slot << shardBits) | (uint)shardIndex;
                    }
                }
            }

            if (++shardIndex == _shards.Length)
            {
                return 0;
            }

            slot = 0;
            if (budget == 0)
            {
                return shardIndex;
            }
        }
    }

    private static bool IsMatchAll(ReadOnlySpan<byte> pattern)
        => pattern.IsEmpty || (pattern.Length == 1 && pattern[0] == (byte)'*');

    /// <summary>Adds the key in <paramref name="slot"/> if it is live and matches; reclaims it if it has expired.</summary>
    private static void CollectSlot(
        StoreShard shard, int slot, ReadOnlySpan<byte> pattern, bool matchAll, long now, List<byte[]> into, DataType? type = null)
    {
        var entry = shard.GetAt(slot);
        if (entry is null)
        {
            return;
        }

        if (Entry.IsExpired(entry, now))
        {
            shard.RemoveExpiredAt(slot);
            return;
        }

        if (type is { } wanted && Entry.GetDataType(entry) != wanted)
        {
            return;
        }

        var key = Entry.GetKey(entry);
        if (matchAll || GlobPattern.IsMatch(pattern, key))
        {
            into.Add(key.ToArray());
        }
    }
}
