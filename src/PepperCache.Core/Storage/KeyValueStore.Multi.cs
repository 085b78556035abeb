using System.Numerics;
using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Operations over keys in several shards. They take every shard lock they need in ascending shard index order,
// the one global order that makes deadlock impossible, and hold them all while they act.
public sealed partial class KeyValueStore
{
    // A bitmap of involved shards fits on the stack up to this many shards (the default is 256).
    private const int StackShardWords = 64;

    /// <summary>
    /// MSET (all-or-nothing to readers) and MSETNX: key/value pairs are arguments
    /// <paramref name="first"/>, <paramref name="first"/>+1, ... of <paramref name="request"/>. With
    /// <paramref name="onlyIfNoneExist"/>, nothing is written if any key exists, and false is returned.
    /// Written keys lose any expiry.
    /// </summary>
    /// <remarks>When a key appears twice, the last value wins, as in Redis.</remarks>
    public bool SetMany(RespRequest request, int first, bool onlyIfNoneExist)
    {
        ArgumentNullException.ThrowIfNull(request);
        var end = first + ((request.Count - first) & ~1);
        var words = (_shards.Length + 63) >> 6;
        Span<ulong> involved = words <= StackShardWords ? stackalloc ulong[StackShardWords] : new ulong[words];
        involved = involved[..words];
        MarkShards(request, first, end, 2, involved);
        EnterShards(involved);
        try
        {
            var now = Now;
            if (onlyIfNoneExist)
            {
                for (var i = first; i < end; i += 2)
                {
                    var key = request[i];
                    var hash = Hash(key);
                    if (FindLive(ShardFor(key), key, (uint)hash, now) >= 0)
                    {
                        return false;
                    }
                }
            }

            for (var i = first; i < end; i += 2)
            {
                var key = request[i];
                var hash = Hash(key);
                var shard = ShardFor(key);
                // An overwrite is a use of the key (Redis's setKey looks it up for writing).
                Put(shard, FindLive(shard, key, (uint)hash, now), Entry.Create(key, request[i + 1], Entry.NoExpiry), (uint)hash);
            }

            return true;
        }
        finally
        {
            ExitShards(involved);
        }
    }

    /// <summary>
    /// MGET: reads arguments <paramref name="first"/>.. of <paramref name="request"/> into <paramref name="into"/>
    /// (default for a missing key) at one instant, holding every involved shard lock, so a reader never sees half
    /// of an MSET. Returns how many keys were found.
    /// </summary>
    public int GetMany(RespRequest request, int first, Span<StoreValue> into)
    {
        ArgumentNullException.ThrowIfNull(request);
        var end = request.Count;
        var words = (_shards.Length + 63) >> 6;
        Span<ulong> involved = words <= StackShardWords ? stackalloc ulong[StackShardWords] : new ulong[words];
        involved = involved[..words];
        MarkShards(request, first, end, 1, involved);
        EnterShards(involved);
        try
        {
            var now = Now;
            var found = 0;
            for (var i = first; i < end; i++)
            {
                var key = request[i];
                var hash = Hash(key);
                var shard = ShardFor(key);
                var index = FindLive(shard, key, (uint)hash, now);
                // MGET answers nil for a key of another type, as Redis does.
                if (index >= 0 && Entry.GetDataType(shard[index]) == DataType.String)
                {
                    into[i - first] = new StoreValue(shard[index]);
                    found++;
                }
                else
                {
                    into[i - first] = default;
                }
            }

            return found;
        }
        finally
        {
            ExitShards(involved);
        }
    }

    /// <summary>The shard a key lives in (for tests that need keys in different shards).</summary>
    internal int ShardOf(ReadOnlySpan<byte> key) => ShardIndex(key);

    private void MarkShards(RespRequest request, int first, int end, int step, Span<ulong> involved)
    {
        involved.Clear();
        for (var i = first; i < end; i += step)
        {
            var shardIndex = ShardIndex(request[i]);
            involved[shardIndex >> 6] |= 1UL << (shardIndex & 63);
        }
    }

    private void EnterShards(ReadOnlySpan<ulong> involved)
    {
        for (var word = 0; word < involved.Length; word++)
        {
            for (var bits = involved[word]; bits != 0; bits &= bits - 1)
            {
                _shards[(word << 6) + BitOperations.TrailingZeroCount(bits)].Lock.Enter();
            }
        }
    }

    private void ExitShards(ReadOnlySpan<ulong> involved)
    {
        for (var word = 0; word < involved.Length; word++)
        {
            for (var bits = involved[word]; bits != 0; bits &= bits - 1)
            {
                _shards[(word << 6) + BitOperations.TrailingZeroCount(bits)].Lock.Exit();
            }
        }
    }
}
