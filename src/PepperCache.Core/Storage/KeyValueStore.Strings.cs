using System.Globalization;
using PepperCache.Core.Types;
using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Value operations: each is one atomic step under the key's shard lock. A changed value is a new entry, except that
// APPEND and SETRANGE change a spacious entry no reader holds in place (see Entry's invariant).
public sealed partial class KeyValueStore
{
    /// <summary>
    /// A copy of the string at <paramref name="key"/>, or when <paramref name="hasField"/>, of <paramref name="field"/>
    /// of the hash there; null when either is missing or the key holds another type. Never WRONGTYPE: SORT's BY and
    /// GET patterns read whatever keys their substitutions name (Redis's lookupKeyByPattern).
    /// </summary>
    public byte[]? CopyStringOrHashField(ReadOnlySpan<byte> key, bool hasField, ReadOnlySpan<byte> field)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLive(shard, key, (uint)hash);
            if (index < 0)
            {
                return null;
            }

            var entry = shard[index];
            var type = Entry.GetDataType(entry);
            if (!hasField)
            {
                return type == DataType.String ? Entry.GetValue(entry).ToArray() : null;
            }

            return type == DataType.Hash && ((HashObject)shard.ObjectAt(index)!).TryGetValue(field, out var value) ? value.ToArray() : null;
        }
    }

    /// <summary>GETDEL: reads and removes the key.</summary>
    public bool TryGetDelete(ReadOnlySpan<byte> key, out StoreValue value)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLive(shard, key, (uint)hash);
            if (index < 0)
            {
                value = default;
                return false;
            }

            var entry = StringAt(shard, index);
            value = new StoreValue(entry);
            shard.RemoveAt(index);
            return true;
        }
    }

    /// <summary>
    /// GETEX: reads the key and, when <paramref name="persist"/> is set, removes its expiry, or when
    /// <paramref name="expiresAt"/> is non-zero sets it (a time already past deletes the key after the read).
    /// </summary>
    public bool TryGetAndExpire(ReadOnlySpan<byte> key, long expiresAt, bool persist, out StoreValue value)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, (uint)hash, now);
            if (index < 0)
            {
                value = default;
                return false;
            }

            var entry = StringAt(shard, index);
            var current = Entry.GetExpiresAt(entry);
            if (persist)
            {
                shard.SetExpiresAt(index, Entry.NoExpiry);
                current = Entry.NoExpiry;
            }
            else if (expiresAt != Entry.NoExpiry)
            {
                if (expiresAt <= now)
                {
                    shard.RemoveAt(index);
                }
                else
                {
                    shard.SetExpiresAt(index, expiresAt);
                    current = expiresAt;
                }
            }

            // The value is shared from here on, so handing out the entry stays safe after its expiry field changed.
            value = new StoreValue(entry, current);
            return true;
        }
    }

    /// <summary>INCRBY/DECRBY/INCR/DECR. A missing key counts as 0; the expiry is kept.</summary>
    public IncrementResult IncrementBy(ReadOnlySpan<byte> key, long delta, out long result)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        Span<byte> text = stackalloc byte[20];
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, (uint)hash, now);
            long current = 0;
            var expiresAt = Entry.NoExpiry;
            if (index >= 0)
            {
                var old = StringAt(shard, index);
                if (!RespParser.TryParseInt64(Entry.GetValue(old), out current))
                {
                    result = 0;
                    return IncrementResult.NotANumber;
                }

                expiresAt = Entry.GetExpiresAt(old);
            }

            if ((delta < 0 && current < 0 && delta < long.MinValue - current)
                || (delta > 0 && current > 0 && delta > long.MaxValue - current))
            {
                result = 0;
                return IncrementResult.Overflow;
            }

            result = current + delta;
            result.TryFormat(text, out var written, default, CultureInfo.InvariantCulture);
            Put(shard, index, Entry.Create(key, text[..written], expiresAt), (uint)hash);
            return IncrementResult.Ok;
        }
    }

    /// <summary>
    /// APPEND: returns the new length. Creates the key when missing, encoded as SET would; keeps the expiry. The value
    /// becomes <c>raw</c>, even when nothing is appended, as Redis unshares it before appending.
    /// </summary>
    public long Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, (uint)hash, now);
            if (index < 0)
            {
                Put(shard, -1, Entry.Create(key, value, Entry.NoExpiry), (uint)hash);
                return value.Length;
            }

            var old = StringAt(shard, index);
            var oldLength = Entry.GetValueLength(old);
            if (value.IsEmpty)
            {
                Entry.SetStringEncoding(old, StringEncoding.Raw);
                return oldLength;
            }

            var length = checked(oldLength + value.Length);
            if (Entry.IsMutable(old) && length <= Entry.Capacity(old))
            {
                value.CopyTo(Entry.GetRoom(old)[oldLength..]);
                Entry.SetValueLength(old, length);
                return length;
            }

            // Redis's sdscatlen: the new room is twice the length (or 1 MB more), so a run of APPENDs copies O(n) in all.
            var entry = Entry.CreateSpacious(key, length, Entry.GrowthCapacity(length), Entry.GetExpiresAt(old));
            var target = Entry.GetRoom(entry);
            Entry.GetValue(old).CopyTo(target);
            value.CopyTo(target[oldLength..]);
            Put(shard, index, entry, (uint)hash);
            return length;
        }
    }

    /// <summary>
    /// SETRANGE: overwrites from <paramref name="offset"/>, zero-padding as needed; returns the new length.
    /// An empty <paramref name="value"/> changes nothing (and creates nothing). The caller checks the size limit.
    /// </summary>
    public long SetRange(ReadOnlySpan<byte> key, long offset, ReadOnlySpan<byte> value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, (uint)hash, now);
            var old = index >= 0 ? StringAt(shard, index) : null;
            var oldValue = old is null ? default : Entry.GetValue(old);
            if (value.IsEmpty)
            {
                return oldValue.Length;
            }

            var start = (int)offset;
            var length = Math.Max(oldValue.Length, checked((int)(offset + value.Length)));
            if (old is not null && Entry.IsMutable(old) && length <= Entry.Capacity(old))
            {
                var room = Entry.GetRoom(old);
                if (start > oldValue.Length)
                {
                    // The spare room holds stale or uninitialized bytes: the gap must be zeroed explicitly.
                    room[oldValue.Length..start].Clear();
                }

                value.CopyTo(room[start..]);
                Entry.SetValueLength(old, length);
                return length;
            }

            // A new key gets its exact length, a grown value room to grow on (Redis's sdsnewlen, sdsgrowzero).
            var capacity = old is null || length == oldValue.Length ? length : Entry.GrowthCapacity(length);
            var entry = Entry.CreateSpacious(key, length, capacity, old is null ? Entry.NoExpiry : Entry.GetExpiresAt(old));
            var target = Entry.GetRoom(entry);
            oldValue.CopyTo(target);
            if (start > oldValue.Length)
            {
                // The entry is uninitialized memory: the gap must be zeroed explicitly.
                target[oldValue.Length..start].Clear();
            }

            value.CopyTo(target[start..]);
            Put(shard, index, entry, (uint)hash);
            return length;
        }
    }

    /// <summary>
    /// The length of a string value, 0 for a missing key. <paramref name="touch"/> false for a size check made before
    /// the command's own lookup (APPEND's limit), so the key counts one use, as in Redis.
    /// </summary>
    public long StringLength(ReadOnlySpan<byte> key, bool touch = true)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = touch ? FindLive(shard, key, (uint)hash) : FindLiveNoTouch(shard, key, (uint)hash, Now);
            if (index < 0)
            {
                return 0;
            }

            return Entry.GetValueLength(StringAt(shard, index));
        }
    }
}
