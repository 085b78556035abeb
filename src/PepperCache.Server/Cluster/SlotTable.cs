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

    private readonly string?[] _owners = new string?[HashSlot.SlotCount];
    private readonly long[] _epochs = new long[HashSlot.SlotCount];

    public string? OwnerOf(int slot) => _owners[slot];

    public long EpochOf(int slot) => _epochs[slot];

    /// <summary>The highest epoch of any slot (CLUSTER INFO's current epoch).</summary>
    public long MaxEpoch { get; private set; }

    /// <summary>Sets <paramref name="slot"/> if (<paramref name="epoch"/>, <paramref name="owner"/>) beats what is there.</summary>
    public bool Merge(int slot, string owner, long epoch)
    {
        var current = _owners[slot];
        if (epoch < _epochs[slot] ||
            (epoch == _epochs[slot] && current is not null && string.CompareOrdinal(owner, current) <= 0))
        {
            return false;
        }

        _owners[slot] = owner;
        _epochs[slot] = epoch;
        MaxEpoch = Math.Max(MaxEpoch, epoch);
        return true;
    }

    /// <summary>Merges every slot of <paramref name="other"/>; returns the number of slots that changed.</summary>
    /// <param name="changedSlots">When given, receives the slots that changed.</param>
    public int Merge(SlotTable other, List<int>? changedSlots = null)
    {
        var changed = 0;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (other._owners[slot] is { } owner && Merge(slot, owner, other._epochs[slot]))
            {
                changed++;
                changedSlots?.Add(slot);
            }
        }

        return changed;
    }

    /// <summary>A copy, to encode outside the owner's lock.</summary>
    public SlotTable Clone()
    {
        var copy = new SlotTable { MaxEpoch = MaxEpoch };
        _owners.CopyTo(copy._owners, 0);
        _epochs.CopyTo(copy._epochs, 0);
        return copy;
    }

    /// <summary>A hash of the whole table, so peers can tell cheaply whether theirs differs.</summary>
    public bool HasOwners => Array.Exists(_owners, o => o is not null);

    public ulong Digest()
    {
        // Computed under the cluster lock after every change: no allocation per slot (ids hashed as their chars).
        var hash = new XxHash64();
        Span<byte> epoch = stackalloc byte[8];
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes((_owners[slot] ?? "-").AsSpan()));
            BinaryPrimitives.WriteInt64LittleEndian(epoch, _epochs[slot]);
            hash.Append(epoch);
        }

        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>The compact wire form: the owner ids, and per slot a 2-byte owner index and 4-byte epoch, Brotli-compressed.</summary>
    public SlotTableData Encode()
    {
        var owners = _owners.Where(o => o is not null).Select(o => o!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = owners.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => (ushort)p.i, StringComparer.Ordinal);
        var raw = new byte[HashSlot.SlotCount * 6];
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            var at = raw.AsSpan(slot * 6);
            BinaryPrimitives.WriteUInt16LittleEndian(at, _owners[slot] is { } owner ? index[owner] : NoOwner);
            BinaryPrimitives.WriteUInt32LittleEndian(at[2..], (uint)Math.Min(_epochs[slot], uint.MaxValue));
        }

        var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(raw.Length)];
        if (!BrotliEncoder.TryCompress(raw, compressed, out var written, quality: 4, window: 22))
        {
            throw new InvalidOperationException("Brotli could not compress the slot table.");
        }

        return new SlotTableData(owners, Convert.ToBase64String(compressed, 0, written));
    }

    /// <summary>Reads <see cref="Encode"/>'s form; null when it is malformed.</summary>
    public static SlotTable? Decode(SlotTableData data)
    {
        var raw = new byte[HashSlot.SlotCount * 6];
        byte[] compressed;
        try
        {
            compressed = Convert.FromBase64String(data.Table);
        }
        catch (FormatException)
        {
            return null;
        }

        if (!BrotliDecoder.TryDecompress(compressed, raw, out var written) || written != raw.Length)
        {
            return null;
        }

        var table = new SlotTable();
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            var at = raw.AsSpan(slot * 6);
            var owner = BinaryPrimitives.ReadUInt16LittleEndian(at);
            if (owner == NoOwner)
            {
                continue;
            }

            if (owner >= data.Owners.Length)
            {
                return null;
            }

            table._owners[slot] = data.Owners[owner];
            table._epochs[slot] = BinaryPrimitives.ReadUInt32LittleEndian(at[2..]);
            table.MaxEpoch = Math.Max(table.MaxEpoch, table._epochs[slot]);
        }

        return table;
    }
}

/// <summary>A slot table on the wire and on disk.</summary>
internal sealed record SlotTableData(string[] Owners, string Table);
