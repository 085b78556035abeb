namespace PepperCache.Core.Storage;

/// <summary>Told of each key eviction removes, while the key's shard is still locked (the AOF logs it as DEL).</summary>
public interface IEvictionListener
{
    void OnEvicted(ReadOnlySpan<byte> key);
}

/// <summary>Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL.</summary>
public enum EvictionOutcome
{
    /// <summary>Under the limit (or no limit).</summary>
    Ok,
    /// <summary>Still over after the keys this call may evict: more is evicted by the next command or in the background.</summary>
    Running,
    /// <summary>Over the limit with nothing the policy may evict: commands that grow memory are refused (OOM).</summary>
    Failed,
}
