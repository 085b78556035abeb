namespace PepperCache.Core.Storage;

/// <summary>
/// The array each thread's running command handed to the store as an entry (<see cref="KeyValueStore.SetInPlace"/>)
/// and may still read: the request it came in keeps it as an argument, which the AOF record, MONITOR and the slow log
/// read after the store has published it. Until the command ends, another thread that overwrites the key must not give
/// the array to a write of its own (<see cref="EntryRecycler"/>).
/// </summary>
/// <remarks>
/// The holding thread writes its slot before it takes the shard lock to publish, and an overwriting thread reads every
/// slot after it has taken that lock and found the array, so it cannot miss the hold. Clearing is a volatile write after
/// the command's last read: whoever sees the slot clear may reuse the array.
/// </remarks>
internal static class AdoptedArrays
{
    [ThreadStatic]
    private static Slot? t_slot;

    // Every thread that ever adopted an array: the loops, and pool threads a connection resumed on. Grows by copy.
    private static Slot[] s_slots = [];
    private static readonly Lock s_register = new();

    /// <summary>The calling thread's command is about to publish <paramref name="array"/> and may read it after.</summary>
    public static void Hold(byte[] array) => Volatile.Write(ref (t_slot ??= Register()).Array, array);

    /// <summary>The calling thread's command has ended: what it adopted is the store's alone.</summary>
    public static void Release()
    {
        if (t_slot is { Array: not null } slot)
        {
            Volatile.Write(ref slot.Array, null);
        }
    }

    /// <summary>True while some thread's command may still read <paramref name="array"/>.</summary>
    public static bool IsHeld(byte[] array)
    {
        foreach (var slot in Volatile.Read(ref s_slots))
        {
            if (ReferenceEquals(Volatile.Read(ref slot.Array), array))
            {
                return true;
            }
        }

        return false;
    }

    private static Slot Register()
    {
        var slot = new Slot();
        lock (s_register)
        {
            Volatile.Write(ref s_slots, [.. s_slots, slot]);
        }

        return slot;
    }

    private sealed class Slot
    {
        public byte[]? Array;
    }
}
