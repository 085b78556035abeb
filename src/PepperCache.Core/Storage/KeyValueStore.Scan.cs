namespace PepperCache.Core.Storage;

// Iteration: KEYS and SCAN.
public sealed partial class KeyValueStore
{
    /// <summary>KEYS: every live key matching the glob <paramref name="pattern"/> (Redis's stringmatch rules).</summary>
    public void Keys(ReadOnlySpan<byte> pattern, List<byte[]> into) => throw new NotImplementedException();

    /// <summary>
    /// SCAN: examines about <paramref name="count"/> slots from <paramref name="cursor"/>, adding live keys that
    /// match <paramref name="pattern"/> (empty = all), and returns the next cursor (0 when done). A key present for
    /// the whole scan is returned at least once.
    /// </summary>
    public long Scan(long cursor, ReadOnlySpan<byte> pattern, int count, List<byte[]> into) => throw new NotImplementedException();
}
