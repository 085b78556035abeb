namespace PepperCache.Server.Cluster;

/// <summary>
/// How fast an old owner may move keys: <c>cluster-move-max-keys-per-sec</c> and
/// <c>cluster-move-min-client-percent</c>, seeded from the command line and changed by CONFIG SET; the
/// <see cref="MovePacer"/> reads them on every sample.
/// </summary>
internal sealed class MovePaceSettings
{
    private long _maxKeysPerSecond;
    private int _minClientPercent = DefaultMinClientPercent;

    /// <summary>The clients' share of their command rate before a move that an old owner keeps them at by default.</summary>
    public const int DefaultMinClientPercent = 60;

    /// <summary>Keys a second this node may move, whatever its clients do; 0 for no cap.</summary>
    public long MaxKeysPerSecond
    {
        get => Volatile.Read(ref _maxKeysPerSecond);
        set => Volatile.Write(ref _maxKeysPerSecond, value);
    }

    /// <summary>
    /// Percent of the command rate this node served before a move (per slot it still serves) below which it slows
    /// the move; 0 moves as fast as the machine allows.
    /// </summary>
    public int MinClientPercent
    {
        get => Volatile.Read(ref _minClientPercent);
        set => Volatile.Write(ref _minClientPercent, value);
    }
}
