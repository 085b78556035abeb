using System.Runtime.CompilerServices;

namespace PepperCache.Core.Storage;

/// <summary>
/// The 24 access bits of an entry, as Redis keeps them in <c>robj.lru</c> (<c>evict.c</c>): an LRU clock, or under
/// an LFU policy the last decrement time in minutes (16 bits) and a logarithmic access counter (8 bits).
/// </summary>
/// <remarks>
/// The LRU clock ticks every <see cref="LruResolutionMs"/> ms, ten times finer than Redis's second: eviction tells
/// keys apart by sub-second idleness, which matters when the whole cache turns over in seconds. The price is a
/// wrap-around after 2^24 ticks (19.4 days); a key idle longer than that looks younger than it is, as in Redis
/// after 194 days.
/// </remarks>
internal static class AccessBits
{
    public const long LruResolutionMs = 100;

    /// <summary>Redis's LFU_INIT_VAL: a new key's counter, so it is not the first evicted.</summary>
    public const uint LfuInitialCounter = 5;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint LruClock(long nowMs) => (uint)(nowMs / LruResolutionMs) & Entry.AccessMask;

    /// <summary>Milliseconds since the LRU clock stored in <paramref name="access"/>.</summary>
    public static long IdleMs(uint access, long nowMs)
    {
        var clock = LruClock(nowMs);
        var ticks = clock >= access ? clock - access : Entry.AccessMask - access + clock;
        return ticks * LruResolutionMs;
    }

    private static uint Minutes(long nowMs) => (uint)(nowMs / 60_000) & 0xFFFF;

    /// <summary>The bits a new key gets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ForNewKey(long nowMs, bool frequency)
        => frequency ? (Minutes(nowMs) << 8) | LfuInitialCounter : LruClock(nowMs);

    /// <summary>RESTORE ... FREQ: the LFU counter given, decremented from now (Redis's objectSetLRUOrLFU).</summary>
    public static uint WithFrequency(long nowMs, int counter) => (Minutes(nowMs) << 8) | (uint)counter;

    /// <summary>RESTORE ... IDLETIME: an LRU clock as many seconds back as given, wrapping as Redis's does.</summary>
    public static uint IdleFor(long nowMs, long idleSeconds)
    {
        var ticks = (ulong)Math.Min(idleSeconds, long.MaxValue / 1000) * 1000 / LruResolutionMs;
        var clock = (ulong)LruClock(nowMs);
        var range = (ulong)Entry.AccessMask + 1;
        return (uint)((clock + range - (ticks % range)) % range);
    }

    /// <summary>The bits after an access: the clock now, or the decayed counter bumped once (Redis's updateLFU).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Touched(uint access, long nowMs, MemorySettings settings, bool frequency)
    {
        if (!frequency)
        {
            return LruClock(nowMs);
        }

        var counter = LogIncrement(DecayedCounter(access, nowMs, settings.LfuDecayTime), settings.LfuLogFactor);
        return (Minutes(nowMs) << 8) | counter;
    }

    /// <summary>Redis's LFUDecrAndReturn: the counter less one per <paramref name="decayMinutes"/> idle.</summary>
    public static uint DecayedCounter(uint access, long nowMs, int decayMinutes)
    {
        var counter = access & 0xFF;
        if (decayMinutes <= 0)
        {
            return counter;
        }

        var last = access >> 8;
        var now = Minutes(nowMs);
        var elapsed = now >= last ? now - last : 0xFFFF - last + now;
        var periods = elapsed / (uint)decayMinutes;
        return periods >= counter ? 0 : counter - periods;
    }

    /// <summary>Redis's LFULogIncr: the higher the counter, the less likely an access raises it.</summary>
    private static uint LogIncrement(uint counter, int logFactor)
    {
        if (counter == 255)
        {
            return 255;
        }

        var baseValue = counter > LfuInitialCounter ? counter - LfuInitialCounter : 0;
        var p = 1.0 / ((baseValue * (double)logFactor) + 1);
        return Random.Shared.NextDouble() < p ? counter + 1 : counter;
    }
}
