namespace PepperCache.Core.Storage;

/// <summary>
/// The memory limit and eviction parameters, as Redis names them. Changed live by CONFIG SET from any thread;
/// read by the store on every write, so each is a single volatile field.
/// </summary>
public sealed class MemorySettings
{
    private long _maxMemory;
    private volatile EvictionPolicy _policy = EvictionPolicy.NoEviction;
    private volatile int _samples = 5;
    private volatile int _lfuLogFactor = 10;
    private volatile int _lfuDecayTime = 1;

    /// <summary>Bytes the keyspace may hold; 0 means no limit.</summary>
    public long MaxMemory
    {
        get => Volatile.Read(ref _maxMemory);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _maxMemory, value);
            MaxMemoryChanged?.Invoke();
        }
    }

    /// <summary>The store's hook: the limit sizes how often shards report their memory.</summary>
    internal Action? MaxMemoryChanged { get; set; }

    public EvictionPolicy Policy
    {
        get => _policy;
        set => _policy = value;
    }

    /// <summary>
    /// <c>maxmemory-samples</c>: keys sampled per eviction round. Any positive value is accepted, as Redis does;
    /// eviction samples at most <see cref="MaxEffectiveSamples"/> a round so one write's work stays bounded.
    /// </summary>
    public int Samples
    {
        get => _samples;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _samples = value;
        }
    }

    public const int MaxEffectiveSamples = 1024;

    /// <summary><c>lfu-log-factor</c>: how slowly the logarithmic access counter climbs.</summary>
    public int LfuLogFactor
    {
        get => _lfuLogFactor;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _lfuLogFactor = value;
        }
    }

    /// <summary><c>lfu-decay-time</c>: minutes per step the counter loses while a key is idle (0: never decays).</summary>
    public int LfuDecayTime
    {
        get => _lfuDecayTime;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _lfuDecayTime = value;
        }
    }
}
