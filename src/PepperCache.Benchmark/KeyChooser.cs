namespace PepperCache.Benchmark;

/// <summary>
/// Draws key numbers in [0, keyspace) by the chosen <see cref="KeyDistribution"/>. Immutable, so one instance is
/// shared by every client; the random state is the caller's.
/// </summary>
/// <remarks>
/// Uniform draws are <c>Next % keyspace</c>, as before Zipf existed, so a uniform run's keys did not change.
/// A Zipf draw gives a rank (1 = hottest); the rank becomes a key number through a fixed permutation of
/// [0, keyspace), so that the hot keys are not key:000000000000, key:000000000001 ... side by side but spread over
/// the keyspace, and so over hash slots, shards and nodes. The permutation depends on the keyspace only (not on
/// the seed): every client, and the offline simulator, maps rank k to the same key. It is a bijective mix on the
/// smallest power of two that holds the keyspace (multiply by an odd constant, xor-shift, twice), applied again
/// while the result falls outside the keyspace ("cycle walking"; under two rounds on average, as the power of
/// two is less than twice the keyspace).
/// </remarks>
internal sealed class KeyChooser
{
    private readonly ulong _keyspace;
    private readonly ZipfSampler? _zipf;
    private readonly ulong _mask;
    private readonly int _shift;

    public KeyChooser(long keyspace, KeyDistribution distribution)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keyspace, 1);
        _keyspace = (ulong)keyspace;
        Distribution = distribution;
        if (distribution.IsZipf)
        {
            _zipf = new ZipfSampler(keyspace, distribution.ZipfExponent);
        }

        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(_keyspace - 1);
        _mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        _shift = Math.Max(1, (bits + 1) / 2);
    }

    public KeyDistribution Distribution { get; }

    public long Keyspace => (long)_keyspace;

    /// <summary>The next key number, in [0, keyspace).</summary>
    public ulong Next(ref ulong random) =>
        _zipf is null ? CommandBuilder.Next(ref random) % _keyspace : KeyOfRank(_zipf.Sample(ref random));

    /// <summary>The key number of Zipf rank <paramref name="rank"/> (1-based): a fixed permutation of the keyspace.</summary>
    public ulong KeyOfRank(long rank)
    {
        var x = (ulong)(rank - 1);
        if (_keyspace == 1)
        {
            return 0;
        }

        do
        {
            x = Mix(x);
        }
        while (x >= _keyspace);

        return x;
    }

    // Each step is a bijection on [0, 2^bits): an odd multiplier is invertible modulo 2^bits, and so is x ^= x >> s.
    private ulong Mix(ulong x)
    {
        x = unchecked(x * 0x9E3779B97F4A7C15UL) & _mask;
        x ^= x >> _shift;
        x = unchecked(x * 0xBF58476D1CE4E5B9UL) & _mask;
        x ^= x >> _shift;
        return x;
    }
}
