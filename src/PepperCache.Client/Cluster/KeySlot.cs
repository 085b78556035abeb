using PepperCache.Protocol;

namespace PepperCache.Client.Cluster;

/// <summary>
/// Redis Cluster's key-to-slot function for callers of the client library: the protocol's <see cref="HashSlot"/>
/// (CRC16-XMODEM of the key or its hash tag, modulo 16,384), the same code the server routes with.
/// </summary>
public static class KeySlot
{
    /// <summary>How many hash slots a cluster has: 16,384.</summary>
    public const int SlotCount = HashSlot.SlotCount;

    /// <summary>The slot of <paramref name="key"/>, in [0, 16384).</summary>
    public static int Of(ReadOnlySpan<byte> key) => HashSlot.Of(key);
}
