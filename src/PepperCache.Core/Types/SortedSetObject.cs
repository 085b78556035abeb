using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

/// <summary>
/// A Redis sorted set: binary-safe members, each with a double score, ordered by (score, member bytes). Read and
/// changed only under its key's shard lock. Split by concern: this file (members and scores), <c>.SkipList.cs</c>
/// (the large encoding's ordered index), <c>.Nodes.cs</c> (its nodes), <c>.Ranks.cs</c> (ranks, score and lex
/// bounds, walks and range removal), <c>.Iteration.cs</c> (ZSCAN, random members) and <c>.Persistence.cs</c> (clone,
/// AOF, payload).
/// </summary>
/// <remarks>
/// <para>
/// Encodings, as Redis's: while small (at most <see cref="EncodingSettings.ZsetMaxListpackEntries"/> members, none
/// longer than <see cref="EncodingSettings.ZsetMaxListpackValue"/> bytes) it is a "listpack", here one array of
/// (score, member) kept in order, searched linearly as Redis searches its listpack. Past either limit it converts for
/// good to a "skiplist": a member table (slots with chained buckets, as <see cref="HashObject"/>'s, so ZSCAN's
/// cursor is a slot index that never moves) beside a skip list with spans, so ranks cost O(log n).
/// </para>
/// <para>
/// A listpack stores a score as text and an integral one as an integer, so -0 reads back as 0 there; the skip list
/// keeps -0. Both are mirrored here, so WITHSCORES prints what Redis prints for the same data.
/// </para>
/// </remarks>
public sealed partial class SortedSetObject : StoreObject
{
    // The object with its fields (header, two arrays, counts, skip list roots).
    private const long SelfSize = 96;

    private static readonly long Seed = Random.Shared.NextInt64();

    // Listpack: _items[0.._count) in order. Null once converted.
    private Item[]? _items = new Item[4];
    private int _count;

    // Bytes of the listpack's member arrays (a skip list counts its members with its nodes).
    private long _memberBytes;

    public SortedSetObject()
    {
    }

    public override DataType Type => DataType.SortedSet;

    public override ReadOnlySpan<byte> EncodingName => IsListpack ? "listpack"u8 : "skiplist"u8;

    public bool IsListpack => _items is not null;

    public override long Count => IsListpack ? _count : _length;

    public override long HeapSize => SelfSize + _memberBytes + (IsListpack
        ? Entry.ArraySize(_items!.Length, Unsafe.SizeOf<Item>())
        : SkipListBytes());

    public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
    {
        if (IsListpack)
        {
            var index = ListpackIndexOf(member);
            score = index >= 0 ? _items![index].Score : 0;
            return index >= 0;
        }

        var node = FindNode(member, HashOf(member));
        score = node?.Score ?? 0;
        return node is not null;
    }

    /// <summary>
    /// Adds <paramref name="member"/> with <paramref name="score"/>, or moves it to that score: true when it is new.
    /// A new member converts a listpack first when it would cross a limit (Redis's zsetAdd).
    /// </summary>
    public bool Set(ReadOnlySpan<byte> member, double score, EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (IsListpack)
        {
            var index = ListpackIndexOf(member);
            if (index >= 0)
            {
                var item = _items![index];
                score = ListpackScore(score);
                if (item.Score != score)
                {
                    MarkChanged();
                    RemoveItemAt(index);
                    InsertItem(score, item.Member);
                }

                return false;
            }

            if (_count + 1 > settings.ZsetMaxListpackEntries || member.Length > settings.ZsetMaxListpackValue)
            {
                ConvertToSkipList();
            }
            else
            {
                MarkChanged();
                var bytes = member.ToArray();
                _memberBytes += MemberSize(bytes);
                InsertItem(ListpackScore(score), bytes);
                return true;
            }
        }

        var hash = HashOf(member);
        var node = FindNode(member, hash);
        MarkChanged();
        if (node is not null)
        {
            if (node.Score != score)
            {
                UpdateScore(node, score);
            }

            return false;
        }

        AddNode(InsertNew(score, member, null), hash);
        return true;
    }

    /// <summary>ZREM of one member: true when it was there.</summary>
    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (IsListpack)
        {
            var index = ListpackIndexOf(member);
            if (index < 0)
            {
                return false;
            }

            MarkChanged();
            _memberBytes -= MemberSize(_items![index].Member);
            RemoveItemAt(index);
            return true;
        }

        var hash = HashOf(member);
        var slot = SlotOf(member, hash);
        if (slot < 0)
        {
            return false;
        }

        MarkChanged();
        var node = _slots[slot].Node!;
        DeleteNode(node);
        FreeSlot(slot);
        return true;
    }

    /// <summary>Order of (score, member) pairs: scores as C compares them (-0 equals 0), then the member bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Compare(double scoreA, ReadOnlySpan<byte> memberA, double scoreB, ReadOnlySpan<byte> memberB) =>
        scoreA < scoreB ? -1 : scoreA > scoreB ? 1 : memberA.SequenceCompareTo(memberB);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HashOf(ReadOnlySpan<byte> member) => (uint)XxHash3.HashToUInt64(member, Seed);

    private static long MemberSize(byte[] member) => Entry.ArraySize(member.Length, 1);

    /// <summary>What a listpack gives back for a score it stored: an integral 0 is stored as the integer 0.</summary>
    private static double ListpackScore(double score) => score == 0 ? 0.0 : score;

    private int ListpackIndexOf(ReadOnlySpan<byte> member)
    {
        var items = _items!;
        for (var i = 0; i < _count; i++)
        {
            if (items[i].Member.AsSpan().SequenceEqual(member))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Inserts in order: after every item that sorts before (score, member).</summary>
    private void InsertItem(double score, byte[] member)
    {
        var items = _items!;
        var at = _count;
        while (at > 0 && Compare(items[at - 1].Score, items[at - 1].Member, score, member) > 0)
        {
            at--;
        }

        if (_count == items.Length)
        {
            Array.Resize(ref _items, items.Length * 2);
            items = _items!;
        }

        Array.Copy(items, at, items, at + 1, _count - at);
        items[at] = new Item(score, member);
        _count++;
    }

    private void RemoveItemAt(int index)
    {
        var items = _items!;
        Array.Copy(items, index + 1, items, index, _count - index - 1);
        items[--_count] = default;
    }

    /// <summary>Leaves the listpack encoding for good, as Redis's SORT does to every sorted set it reads (zsetConvert).</summary>
    public void ConvertToSkipListForSort()
    {
        if (IsListpack)
        {
            ConvertToSkipList();
        }
    }

    /// <summary>Listpack to skip list, keeping the order (the items are already sorted).</summary>
    private void ConvertToSkipList()
    {
        var items = _items!;
        var count = _count;
        _items = null;
        _count = 0;
        _memberBytes = 0;
        InitializeSkipList(count);
        for (var i = 0; i < count; i++)
        {
            var member = items[i].Member;
            AddNode(InsertNew(items[i].Score, member, member), HashOf(member));
        }
    }

    /// <summary>One listpack entry: its score and member.</summary>
    private readonly record struct Item(double Score, byte[] Member);
}
