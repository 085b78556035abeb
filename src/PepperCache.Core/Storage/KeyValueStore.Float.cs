using System.Text;

namespace PepperCache.Core.Storage;

// INCRBYFLOAT, computed in emulated x87 long double as Redis does (see LongDouble for why not double).
public sealed partial class KeyValueStore
{
    /// <summary>INCRBYFLOAT. <paramref name="result"/> is the stored text, formatted as Redis formats it.</summary>
    /// <remarks>
    /// The increment is taken back to its shortest round-trip text and read as a long double, which gives Redis's
    /// result whenever the client sent at most 15 significant digits. Prefer the overload taking the argument text.
    /// </remarks>
    public IncrementResult IncrementByFloat(ReadOnlySpan<byte> key, double delta, out StoreValue result)
        // NaN cannot come from a valid argument; treating it as infinite gives the NaN-or-Infinity error.
        => IncrementByFloat(key, LongDouble.FromDouble(double.IsNaN(delta) ? double.PositiveInfinity : delta), deltaIsValid: true, out result);

    /// <summary>
    /// INCRBYFLOAT with the increment as the client sent it, parsed exactly as Redis parses it: NotANumber when the
    /// stored value or <paramref name="increment"/> is not a valid float, Overflow when the sum is NaN or infinite.
    /// As Redis, the key's type is checked before either number (WRONGTYPE wins over a bad increment).
    /// </summary>
    public IncrementResult IncrementByFloat(ReadOnlySpan<byte> key, ReadOnlySpan<byte> increment, out StoreValue result)
    {
        var valid = LongDouble.TryParse(increment, out var delta);
        return IncrementByFloat(key, delta, valid, out result);
    }

    private IncrementResult IncrementByFloat(ReadOnlySpan<byte> key, LongDouble delta, bool deltaIsValid, out StoreValue result)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, (uint)hash, now);
            var current = LongDouble.Zero;
            var expiresAt = Entry.NoExpiry;
            if (index >= 0)
            {
                var old = StringAt(shard, index);
                if (!LongDouble.TryParse(Entry.GetValue(old), out current))
                {
                    result = default;
                    return IncrementResult.NotANumber;
                }

                expiresAt = Entry.GetExpiresAt(old);
            }

            if (!deltaIsValid)
            {
                result = default;
                return IncrementResult.NotANumber;
            }

            if (!LongDouble.TryAdd(current, delta, out var sum))
            {
                result = default;
                return IncrementResult.Overflow;
            }

            var text = sum.ToRedisString();
            // Redis stores the result as text (createStringObjectFromLongDouble), never as an integer.
            var entry = Entry.CreateUninitialized(key, text.Length, expiresAt, DataType.String, StringEncoding.Text);
            Encoding.ASCII.GetBytes(text, entry.AsSpan(Entry.GetValueOffset(entry)));
            Put(shard, index, entry, (uint)hash);

            result = new StoreValue(entry, expiresAt);
            return IncrementResult.Ok;
        }
    }
}
