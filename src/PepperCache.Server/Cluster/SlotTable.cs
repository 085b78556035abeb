using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Who serves each slot, with an epoch per slot. Merging keeps, per slot, the higher epoch (the larger owner id on a
/// tie, so any two members settle the same way). Not thread-safe: the owner locks.
/// </summary>
internal sealed class SlotTable
{
    /// <summary>
    /// The highest epoch a slot may take: half the wire's 4-byte range, so the +1 of an assignment or a reassignment
    /// never reaches the wire's limit, and a table with higher epochs is refused rather than pinning its slots.
    /// </summary>
    public const long MaxEpochValue = int.MaxValue;

    private const ushort NoOwner = ushort.MaxValue;

    /// <summary>Bytes per slot in both wire forms: a 2-byte owner index and a 4-byte epoch (a delta adds a 2-byte slot).</summary>
    private const int EntryBytes = 6;
    private const int DeltaEntryBytes = 8;

    private readonly string?[] _owners = new string?[HashSlot.SlotCount];
    private readonly long[] _epochs = new long[HashSlot.SlotCount];
    // Per slot, the Sequence at which it last changed: the slots changed since a peer's acknowledgement are a scan away.
    private readonly long[] _changedAt = new long[HashSlot.SlotCount];
    // Per slot, the member whose message brought the entry held now (null: this node's own change). That member holds
    // the entry or a newer one, so a delta to it leaves the slot out: a change is not echoed back to where it came from.
    private readonly string?[] _learnedFrom = new string?[HashSlot.SlotCount];
    private ulong _digest;

    public string? OwnerOf(int slot) => _owners[slot];

    /// <summary>Every slot's owner (null: none), for a walk under the owner's lock.</summary>
    public ReadOnlySpan<string?> Owners => _owners;

    public long EpochOf(int slot) => _epochs[slot];

    /// <summary>The highest epoch of any slot (CLUSTER INFO's current epoch).</summary>
    public long MaxEpoch { get; private set; }

    /// <summary>Bumped on every slot that changes: gossip acknowledges a peer's table up to a sequence, and sends what changed after it.</summary>
    public long Sequence { get; private set; }

    /// <summary>Sets <paramref name="slot"/> if (<paramref name="epoch"/>, <paramref name="owner"/>) beats what is there.</summary>
    /// <param name="from">The member whose message carried the entry; null for this node's own change.</param>
    public bool Merge(int slot, string owner, long epoch, string? from = null)
    {
        var current = _owners[slot];
        if (epoch < _epochs[slot] ||
            (epoch == _epochs[slot] && current is not null && string.CompareOrdinal(owner, current) <= 0))
        {
            return false;
        }

        if (current is not null)
        {
            _digest ^= EntryHash(slot, current, _epochs[slot]);
        }

        _owners[slot] = owner;
        _epochs[slot] = epoch;
        _digest ^= EntryHash(slot, owner, epoch);
        _changedAt[slot] = ++Sequence;
        _learnedFrom[slot] = from;
        MaxEpoch = Math.Max(MaxEpoch, epoch);
        return true;
    }

    /// <summary>Merges the entries of a delta (<see cref="DecodeDelta"/>); returns the number of slots that changed.</summary>
    public int Merge(SlotDelta delta, List<int>? changedSlots = null, string? from = null)
    {
        var changed = 0;
        foreach (var (slot, owner, epoch) in delta.Entries)
        {
            if (Merge(slot, owner, epoch, from))
            {
                changed++;
                changedSlots?.Add(slot);
            }
        }

        return changed;
    }

    /// <summary>
    /// The owners and epochs, copied into pooled arrays to encode outside the owner's lock. A clone of the whole table
    /// was four 128 KB arrays on the large-object heap, and during a move the table is encoded a few times a second
    /// (the saved state, whole-table gossip): enough to bring on gen2 collections on a node holding a million keys.
    /// </summary>
    public SlotTableCopy Copy() => new(_owners, _epochs, MaxEpoch, Sequence);

    /// <summary>Merges every slot of <paramref name="other"/>; returns the number of slots that changed.</summary>
    /// <param name="changedSlots">When given, receives the slots that changed.</param>
    /// <param name="from">The member whose message carried the table; null for this node's own (a saved table).</param>
    public int Merge(SlotTableCopy other, List<int>? changedSlots = null, string? from = null)
    {
        var changed = 0;
        var owners = other.Owners;
        var epochs = other.Epochs;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (owners[slot] is { } owner && Merge(slot, owner, epochs[slot], from))
            {
                changed++;
                changedSlots?.Add(slot);
            }
        }

        return changed;
    }

    public bool HasOwners => Array.Exists(_owners, o => o is not null);

    /// <summary>
    /// A hash of the whole table, so peers can tell cheaply whether theirs differs: the xor of one hash per owned
    /// slot, kept up to date on every change (it used to be recomputed over all 16,384 slots under the cluster lock
    /// after each one). A pure function of the table, so equal tables on any two members have equal digests.
    /// </summary>
    public ulong Digest() => _digest;

    private static ulong EntryHash(int slot, string owner, long epoch) =>
        XxHash64.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(owner.AsSpan()), (epoch * HashSlot.SlotCount) + slot);

    /// <summary>
    /// The slots that changed after <paramref name="since"/> (a sequence of this table), with their owners and epochs
    /// now: what a peer that merged this table up to <paramref name="since"/> lacks. Null when more than
    /// <paramref name="maxSlots"/> changed, or <paramref name="since"/> is not a sequence of this table: then the
    /// whole table is smaller or needed. Slots whose entry came from <paramref name="to"/> are left out: it has them.
    /// </summary>
    public SlotDeltaData? EncodeDelta(long since, int maxSlots, string? to = null)
    {
        if (since < 0 || since > Sequence)
        {
            return null;
        }

        var count = 0;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (_changedAt[slot] > since && (to is null || !string.Equals(_learnedFrom[slot], to, StringComparison.Ordinal)) && ++count > maxSlots)
            {
                return null;
            }
        }

        var owners = new List<string>();
        var raw = new byte[count * DeltaEntryBytes];
        var at = 0;
        for (var slot = 0; slot < HashSlot.SlotCount && count > 0; slot++)
        {
            if (_changedAt[slot] <= since || _owners[slot] is not { } owner ||
                (to is not null && string.Equals(_learnedFrom[slot], to, StringComparison.Ordinal)))
            {
                continue;
            }

            // A handful of owners: a linear search beats a dictionary.
            var index = owners.IndexOf(owner);
            if (index < 0)
            {
                index = owners.Count;
                owners.Add(owner);
            }

            var entry = raw.AsSpan(at);
            BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)slot);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], (ushort)index);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)Math.Min(_epochs[slot], uint.MaxValue));
            at += DeltaEntryBytes;
        }

        return new SlotDeltaData(since, [.. owners], Convert.ToBase64String(raw, 0, at));
    }

    /// <summary>Reads <see cref="EncodeDelta"/>'s form; null when it is malformed (as <see cref="Decode"/> for a table).</summary>
    public static SlotDelta? DecodeDelta(SlotDeltaData data)
    {
        if (data.Owners is null || data.Entries is null || data.Base < 0 || Array.Exists(data.Owners, string.IsNullOrEmpty))
        {
            return null;
        }

        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(data.Entries);
        }
        catch (FormatException)
        {
            return null;
        }

        if (raw.Length % DeltaEntryBytes != 0)
        {
            return null;
        }

        var entries = new (int Slot, string Owner, long Epoch)[raw.Length / DeltaEntryBytes];
        long maxEpoch = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = raw.AsSpan(i * DeltaEntryBytes);
            var slot = BinaryPrimitives.ReadUInt16LittleEndian(entry);
            var owner = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
            if (slot >= HashSlot.SlotCount || owner >= data.Owners.Length)
            {
                return null;
            }

            var epoch = (long)BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            entries[i] = (slot, data.Owners[owner], epoch);
            maxEpoch = Math.Max(maxEpoch, epoch);
        }

        return new SlotDelta(data.Base, entries, maxEpoch);
    }

    /// <summary>The compact wire form: the owner ids, and per slot a 2-byte owner index and 4-byte epoch, Brotli-compressed.</summary>
    public SlotTableData Encode() => Encode(_owners, _epochs);

    internal static SlotTableData Encode(ReadOnlySpan<string?> slotOwners, ReadOnlySpan<long> epochs)
    {
        var owners = new HashSet<string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var owner in slotOwners[..HashSlot.SlotCount])
        {
            if (owner is not null && !ReferenceEquals(owner, last))
            {
                owners.Add(owner);
                last = owner;
            }
        }

        var ids = owners.Order(StringComparer.Ordinal).ToArray();
        var index = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => (ushort)p.i, StringComparer.Ordinal);
        var rawLength = HashSlot.SlotCount * EntryBytes;
        var raw = ArrayPool<byte>.Shared.Rent(rawLength);
        var compressed = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(rawLength));
        try
        {
            // Slots come in ranges: the owner's index is looked up once per range, not once per slot.
            last = null;
            ushort lastIndex = NoOwner;
            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                var owner = slotOwners[slot];
                if (!ReferenceEquals(owner, last))
                {
                    lastIndex = owner is null ? NoOwner : index[owner];
                    last = owner;
                }

                var at = raw.AsSpan(slot * EntryBytes);
                BinaryPrimitives.WriteUInt16LittleEndian(at, lastIndex);
                BinaryPrimitives.WriteUInt32LittleEndian(at[2..], (uint)Math.Min(epochs[slot], uint.MaxValue));
            }

            if (!BrotliEncoder.TryCompress(raw.AsSpan(0, rawLength), compressed, out var written, quality: 4, window: 22))
            {
                throw new InvalidOperationException("Brotli could not compress the slot table.");
            }

            return new SlotTableData(ids, Convert.ToBase64String(compressed, 0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    /// <summary>Reads <see cref="Encode"/>'s form into a table of its own; null when it is malformed.</summary>
    public static SlotTable? Decode(SlotTableData data)
    {
        using var copy = DecodeCopy(data);
        if (copy is null)
        {
            return null;
        }

        var table = new SlotTable();
        table.Merge(copy);
        return table;
    }

    /// <summary>
    /// Reads <see cref="Encode"/>'s form into pooled arrays, to merge into a table (and dispose); null when it is
    /// malformed. Gossip decodes whole tables this way: a table of its own is 512 KB on the large-object heap.
    /// </summary>
    public static SlotTableCopy? DecodeCopy(SlotTableData data)
    {
        if (data.Owners is null || data.Table is null)
        {
            return null;
        }

        byte[] compressed;
        try
        {
            compressed = Convert.FromBase64String(data.Table);
        }
        catch (FormatException)
        {
            return null;
        }

        var rawLength = HashSlot.SlotCount * EntryBytes;
        var raw = ArrayPool<byte>.Shared.Rent(rawLength);
        try
        {
            if (!BrotliDecoder.TryDecompress(compressed, raw.AsSpan(0, rawLength), out var written) || written != rawLength)
            {
                return null;
            }

            var copy = SlotTableCopy.Rent();
            long maxEpoch = 0;
            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                var at = raw.AsSpan(slot * EntryBytes);
                var owner = BinaryPrimitives.ReadUInt16LittleEndian(at);
                if (owner == NoOwner)
                {
                    continue;
                }

                if (owner >= data.Owners.Length || string.IsNullOrEmpty(data.Owners[owner]))
                {
                    copy.Dispose();
                    return null;
                }

                var epoch = (long)BinaryPrimitives.ReadUInt32LittleEndian(at[2..]);
                copy.Set(slot, data.Owners[owner], epoch);
                maxEpoch = Math.Max(maxEpoch, epoch);
            }

            copy.MaxEpoch = maxEpoch;
            return copy;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }
}

/// <summary>A slot table on the wire and on disk.</summary>
internal sealed record SlotTableData(string[] Owners, string Table);

/// <summary>
/// The slots of a table that changed after <paramref name="Base"/> (a sequence of the sender's table), on the wire: the
/// owner ids, and per slot a 2-byte slot, 2-byte owner index and 4-byte epoch, in base64 (8 bytes, ~11 characters, per
/// slot changed).
/// </summary>
internal sealed record SlotDeltaData(long Base, string[] Owners, string Entries);

/// <summary>A decoded <see cref="SlotDeltaData"/>: checked, not yet merged.</summary>
internal sealed record SlotDelta(long Base, (int Slot, string Owner, long Epoch)[] Entries, long MaxEpoch);

/// <summary>
/// A slot table's owners and epochs in pooled arrays (<see cref="SlotTable.Copy"/>, <see cref="SlotTable.DecodeCopy"/>):
/// encoded or merged, then disposed.
/// </summary>
internal sealed class SlotTableCopy : IDisposable
{
    private string?[]? _owners;
    private long[]? _epochs;

    private SlotTableCopy(string?[] owners, long[] epochs)
    {
        _owners = owners;
        _epochs = epochs;
    }

    public SlotTableCopy(string?[] owners, long[] epochs, long maxEpoch, long sequence)
        : this(ArrayPool<string?>.Shared.Rent(HashSlot.SlotCount), ArrayPool<long>.Shared.Rent(HashSlot.SlotCount))
    {
        owners.AsSpan(0, HashSlot.SlotCount).CopyTo(_owners);
        epochs.AsSpan(0, HashSlot.SlotCount).CopyTo(_epochs);
        MaxEpoch = maxEpoch;
        Sequence = sequence;
    }

    public ReadOnlySpan<string?> Owners => (_owners ?? throw new ObjectDisposedException(nameof(SlotTableCopy))).AsSpan(0, HashSlot.SlotCount);

    public ReadOnlySpan<long> Epochs => (_epochs ?? throw new ObjectDisposedException(nameof(SlotTableCopy))).AsSpan(0, HashSlot.SlotCount);

    /// <summary>The highest epoch of any slot.</summary>
    public long MaxEpoch { get; internal set; }

    /// <summary>The table's <see cref="SlotTable.Sequence"/> when copied (0 for a decoded one).</summary>
    public long Sequence { get; }

    /// <summary>An empty copy, every slot unowned, for <see cref="SlotTable.DecodeCopy"/> to fill.</summary>
    internal static SlotTableCopy Rent()
    {
        var owners = ArrayPool<string?>.Shared.Rent(HashSlot.SlotCount);
        Array.Clear(owners, 0, HashSlot.SlotCount);
        var epochs = ArrayPool<long>.Shared.Rent(HashSlot.SlotCount);
        Array.Clear(epochs, 0, HashSlot.SlotCount);
        return new SlotTableCopy(owners, epochs);
    }

    internal void Set(int slot, string owner, long epoch)
    {
        _owners![slot] = owner;
        _epochs![slot] = epoch;
    }

    public SlotTableData Encode() => SlotTable.Encode(Owners, Epochs);

    public void Dispose()
    {
        if (_owners is { } owners)
        {
            // Cleared: a pooled array must not keep member ids alive.
            ArrayPool<string?>.Shared.Return(owners, clearArray: true);
            _owners = null;
        }

        if (_epochs is { } epochs)
        {
            ArrayPool<long>.Shared.Return(epochs);
            _epochs = null;
        }
    }
}
