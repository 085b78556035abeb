namespace PepperCache.Core.Storage;

/// <summary>
/// A few entry arrays that eviction, a plain SET's overwrite or DEL freed, kept for the next writes of the same size:
/// on the freeing thread first, then in a small overflow every thread shares.
/// </summary>
/// <remarks>
/// <para>
/// A node kept full by eviction frees an entry for almost every one it stores. Left to the GC, each freed entry is
/// garbage in the oldest generation (it lived long enough to get there), which is collected only when that generation's
/// budget runs out: the heap then holds the dataset plus a second dataset of dead entries, and the collections that
/// give it back are the pauses a SET's p99 sees (docs/memory.md). Redis's allocator reuses the freed block for the next
/// write of its size class; this is the same reuse, for the common case of one size. An overwrite is the same story one
/// step earlier: a key rewritten before anyone read it leaves an entry that lived through a collection or two; and a
/// reused array is already in the oldest generation, so there is nothing to promote and no young object for the old
/// slot table to point at (measured: SET -P 16 over 100k keys, 1.6-1.9 against 2.3-2.7 µs of CPU per request at 32
/// bytes, 2.8-2.9 against 7.9-8.4 at 1 KB).
/// </para>
/// <para>
/// A command evicts on its own thread just before it writes (<see cref="KeyValueStore.Evict"/>), so a stash per thread
/// needs no lock, and the write that needed the room is usually the one that finds the array. What a thread cannot keep
/// goes to the shared overflow, where a connection that resumed on another thread finds it (measured: with thread
/// stashes alone, an eighth of the arrays were stranded on a thread that no longer wrote). Only an entry no reader can
/// hold is kept: a plain string entry (never a collection's, never a spacious one) that was never shared (<see
/// cref="Entry.Share"/> marks every entry handed out of the shard lock: a GET's value, a snapshot's, an export's),
/// taken out of the table under its shard lock. An entry the caller still reads is not offered.
/// </para>
/// <para>
/// Bounded: at most <see cref="MaxArrays"/> arrays and <see cref="MaxBytes"/> bytes per thread and <see
/// cref="SharedArrays"/> shared (1 MB), each at most <see cref="MaxEntryBytes"/>; anything else is left to the GC, as
/// before. What is kept is not in used_memory: it is no key's, and it is small beside any limit worth setting. Lengths
/// must match exactly, since a plain entry's value runs to the end of its array.
/// </para>
/// <para>
/// Large values too: up to <see cref="LargeSlots"/> large entries (each at most <see cref="MaxLargeEntryBytes"/>),
/// shared by all threads, are kept for a large argument of the same size, which a SET then adopts as its entry
/// (<see cref="KeyValueStore.NewEntryArray"/>). Each such entry was a new array in the large object heap,
/// whose collections were the background GC's (measured: SET of 200 KB values over 1,000 keys, 68-74 against 84-91 µs
/// of CPU per request, RSS 290 against 355 MB). An entry a command still reads as its argument is not kept
/// (<see cref="AdoptedArrays"/>).
/// </para>
/// </remarks>
internal static class EntryRecycler
{
    /// <summary>Arrays per thread: a command may evict several keys at once (a write larger than the keys evicted).</summary>
    public const int MaxArrays = 16;

    public const int MaxEntryBytes = 16 * 1024;

    public const int MaxBytes = 64 * 1024;

    /// <summary>A large entry (above <see cref="MaxEntryBytes"/>) is kept up to this size, in one of <see cref="LargeSlots"/>.</summary>
    public const int MaxLargeEntryBytes = 1024 * 1024;

    /// <summary>Large arrays kept, shared by all threads (8 MB at most).</summary>
    public const int LargeSlots = 8;

    /// <summary>Arrays in the overflow shared by all threads.</summary>
    public const int SharedArrays = 64;

    [ThreadStatic]
    private static Stash? t_stash;

    // Where a thread's full stash overflows, and where a thread whose own stash is empty looks next: a connection may
    // resume on another thread between the command that evicted and the one that writes. Claimed with
    // compare-and-swap; s_sharedCount lets a write that finds its own stash empty skip the slots when none are held,
    // which is always the case on a node that is not evicting.
    private static readonly byte[]?[] s_shared = new byte[SharedArrays][];
    private static int s_sharedCount;

    private static readonly byte[]?[] s_large = new byte[LargeSlots][];
    private static int s_largeCount;
    private static int s_largeTurn;

    /// <summary>Keeps <paramref name="entry"/>, just taken out of its shard under the lock, if no reader can hold it.</summary>
    public static void Offer(byte[] entry)
    {
        if (entry.Length > MaxLargeEntryBytes
            || (entry[12] & (0xF | Entry.SpaciousFlag | Entry.SharedFlag)) != (byte)DataType.String)
        {
            return;
        }

        if (entry.Length > MaxEntryBytes)
        {
            OfferLarge(entry);
            return;
        }

        var stash = t_stash ??= new Stash();
        if (stash.Count < MaxArrays && stash.Bytes + entry.Length <= MaxBytes)
        {
            stash.Arrays[stash.Count++] = entry;
            stash.Bytes += entry.Length;
            return;
        }

        OfferShared(entry);
    }

    /// <summary>
    /// Keeps a large argument's array that its command copied rather than kept (LPUSH, HSET... of a large value), so
    /// the next large argument of its length is read into it instead of a new array.
    /// </summary>
    public static void OfferArgument(byte[] array)
    {
        if (array.Length > MaxEntryBytes && array.Length <= MaxLargeEntryBytes)
        {
            OfferLarge(array);
        }
    }

    /// <summary>An array of exactly <paramref name="length"/> bytes kept by eviction, its content stale; null when none.</summary>
    public static byte[]? Take(int length)
    {
        if (length > MaxEntryBytes)
        {
            return Volatile.Read(ref s_largeCount) == 0 ? null : TakeLarge(length);
        }

        if (t_stash is { Count: > 0 } stash)
        {
            var arrays = stash.Arrays;
            for (var i = stash.Count - 1; i >= 0; i--)
            {
                var array = arrays[i]!;
                if (array.Length == length)
                {
                    arrays[i] = arrays[--stash.Count];
                    arrays[stash.Count] = null;
                    stash.Bytes -= length;
                    return array;
                }
            }
        }

        return Volatile.Read(ref s_sharedCount) == 0 ? null : TakeShared(length);
    }

    /// <summary>
    /// A large entry goes to a free large slot, or else in place of the one whose turn it is (sizes come and go), unless
    /// a command still reads it: it came in as that command's argument.
    /// </summary>
    private static void OfferLarge(byte[] entry)
    {
        if (AdoptedArrays.IsHeld(entry) || TryPutInFreeSlot(s_large, ref s_largeCount, entry))
        {
            return;
        }

        var turn = (int)((uint)Interlocked.Increment(ref s_largeTurn) % LargeSlots);
        if (Interlocked.Exchange(ref s_large[turn], entry) is null)
        {
            Interlocked.Increment(ref s_largeCount);
        }
    }

    private static byte[]? TakeLarge(int length) => TakeFromSlots(s_large, ref s_largeCount, length);

    private static void OfferShared(byte[] entry)
    {
        if (Volatile.Read(ref s_sharedCount) < SharedArrays)
        {
            TryPutInFreeSlot(s_shared, ref s_sharedCount, entry);
        }
    }

    private static byte[]? TakeShared(int length) => TakeFromSlots(s_shared, ref s_sharedCount, length);

    /// <summary>Claims a free slot with compare-and-swap; false when every slot was taken.</summary>
    private static bool TryPutInFreeSlot(byte[]?[] slots, ref int count, byte[] entry)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], entry, null) is null)
            {
                Interlocked.Increment(ref count);
                return true;
            }
        }

        return false;
    }

    private static byte[]? TakeFromSlots(byte[]?[] slots, ref int count, int length)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is { } array
                && array.Length == length
                && ReferenceEquals(Interlocked.CompareExchange(ref slots[i], null, array), array))
            {
                Interlocked.Decrement(ref count);
                return array;
            }
        }

        return null;
    }

    /// <summary>Large arrays kept (tests).</summary>
    internal static int LargeHeld => Volatile.Read(ref s_largeCount);

    /// <summary>Arrays held on the calling thread (tests).</summary>
    internal static int HeldOnThisThread => t_stash?.Count ?? 0;

    /// <summary>
    /// Hands the calling thread's arrays to the shared overflow, as far as it has room, and drops the rest: a thread
    /// that evicts but does not write (the expiry service) keeps none of its own.
    /// </summary>
    internal static void Release()
    {
        if (t_stash is { Count: > 0 } stash)
        {
            for (var i = 0; i < stash.Count; i++)
            {
                OfferShared(stash.Arrays[i]!);
            }

            stash.Clear();
        }
    }

    /// <summary>Drops the calling thread's arrays and the shared ones (tests).</summary>
    internal static void Clear()
    {
        t_stash?.Clear();
        EmptySlots(s_large, ref s_largeCount);
        EmptySlots(s_shared, ref s_sharedCount);
    }

    private static void EmptySlots(byte[]?[] slots, ref int count)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            if (Interlocked.Exchange(ref slots[i], null) is not null)
            {
                Interlocked.Decrement(ref count);
            }
        }
    }

    private sealed class Stash
    {
        public readonly byte[]?[] Arrays = new byte[MaxArrays][];
        public int Count;
        public int Bytes;

        public void Clear()
        {
            Array.Clear(Arrays);
            Count = 0;
            Bytes = 0;
        }
    }
}
