using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using PepperCache.Core.Storage;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Collections that <c>PEPPER.IMPORT</c> is rebuilding from pieces (a large collection moves in several), by key.
/// They are held here, not in the store, until their last piece arrives: no command, scan, count or eviction ever
/// sees one half-built, and a move abandoned half-way leaves nothing in the keyspace.
/// </summary>
/// <remarks>
/// Read and changed only by <c>PEPPER.IMPORT</c> under <see cref="SlotMigrationState.ImportLock"/> (and, with an
/// AOF, under its write lock, which every write command holds). Not counted by maxmemory: at most the collection a
/// mover is sending per connection. Its slot's next <c>RESET</c> drops what an abandoned move left here.
/// </remarks>
internal sealed class ImportPieces
{
    private readonly Dictionary<byte[], Building> _building = new(KeyComparer.Instance);

    /// <summary>Collections being rebuilt now (for tests and diagnostics).</summary>
    public int Count => _building.Count;

    public bool TryGet(ReadOnlySpan<byte> key, [NotNullWhen(true)] out Building? building) =>
        _building.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out building);

    public void Set(byte[] key, Building building) => _building[key] = building;

    public void Remove(ReadOnlySpan<byte> key) => _building.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(key);

    /// <summary>Forgets every collection being rebuilt in <paramref name="slot"/> (its import starts again with RESET).</summary>
    public void DropSlot(int slot)
    {
        foreach (var (key, building) in _building)
        {
            if (building.Slot == slot)
            {
                _building.Remove(key);
            }
        }
    }

    /// <summary>Each collection being rebuilt, with its key (the caller holds the import lock).</summary>
    public IEnumerable<(byte[] Key, Building Building)> All => _building.Select(pair => (pair.Key, pair.Value));

    /// <summary>A collection being rebuilt: its slot, type and absolute expiry, the elements its first piece announced, and those come so far.</summary>
    internal sealed record Building(int Slot, DataType Type, long ExpiresAt, long Total, StoreObject Value);

    /// <summary>Keys by content, looked up by span without a copy.</summary>
    internal sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static KeyComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode([DisallowNull] byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)XxHash3.HashToUInt64(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
