namespace PepperCache.Core.Storage;

/// <summary>
/// The arrays running commands handed to the store as entries (<see cref="KeyValueStore.SetInPlace"/>) and may still
/// read: the request each came in keeps it as an argument, which the AOF record, MONITOR and the slow log read after
/// the store has published it. Until its command ends, another thread that overwrites the key must not give the array
/// to a write of its own (<see cref="EntryRecycler"/>).
/// </summary>
/// <remarks>
/// A fixed table, not a slot per thread: threads come and go (a connection on Kestrel's sockets resumes on pool
/// threads), and a table that grew with every thread that ever adopted would grow for the life of the process. A
/// command finds a free slot with compare-and-swap and remembers it on its thread until the connection's batch of
/// commands ends (<see cref="KeyValueStore.EndAdoption"/>) or the thread adopts the next array; with every slot taken
/// (more commands adopting at once than <see cref="Slots"/>), the caller marks the entry shared instead, so it is never
/// reused. The holding thread fills its slot before it takes the shard lock to publish, and an overwriting thread reads
/// the slots after it has taken that lock and found the array, so it cannot miss the hold; clearing is a volatile
/// write after the command's last read.
/// </remarks>
internal static class AdoptedArrays
{
    /// <summary>Commands that may hold an adopted array at once: one per event loop (at most 128) and then some.</summary>
    internal const int Slots = 256;

    private static readonly byte[]?[] s_held = new byte[Slots][];

    // The calling thread's slot plus one; 0 when its command holds none.
    [ThreadStatic]
    private static int t_slot;

    /// <summary>The calling thread's command is about to publish <paramref name="array"/> and may read it after; false when no slot is free.</summary>
    public static bool TryHold(byte[] array)
    {
        Release();
        for (var i = 0; i < Slots; i++)
        {
            if (Volatile.Read(ref s_held[i]) is null && Interlocked.CompareExchange(ref s_held[i], array, null) is null)
            {
                t_slot = i + 1;
                return true;
            }
        }

        return false;
    }

    /// <summary>The calling thread's command has ended: what it adopted is the store's alone.</summary>
    public static void Release()
    {
        if (t_slot != 0)
        {
            Volatile.Write(ref s_held[t_slot - 1], null);
            t_slot = 0;
        }
    }

    /// <summary>Empties every slot (tests that fill the table; nothing else may be adopting meanwhile).</summary>
    internal static void Clear()
    {
        Array.Clear(s_held);
        t_slot = 0;
    }

    /// <summary>True while some command may still read <paramref name="array"/>.</summary>
    public static bool IsHeld(byte[] array)
    {
        for (var i = 0; i < Slots; i++)
        {
            if (ReferenceEquals(Volatile.Read(ref s_held[i]), array))
            {
                return true;
            }
        }

        return false;
    }
}
