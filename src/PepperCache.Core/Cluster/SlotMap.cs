using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Core.Cluster;

/// <summary>
/// Which member owns each of the 16,384 hash slots: a pure function of the member set, so every node computes the
/// same map from the same members with no coordinator.
/// </summary>
/// <remarks>
/// <para>
/// Rendezvous (highest-random-weight) hashing per slot, with bounded loads. Every (member, slot) pair gets a score
/// from XxHash3 with a fixed seed over the member id's hash and the slot; pairs are taken best first, and a slot goes
/// to the first member offered it that still has room under its capacity of ⌊1.1 × 16384 / N⌋ slots. Pure
/// rendezvous would move only the slots a joining member now wins (or a leaving member held), but its loads are
/// binomial: about ±8% at 100 members, so the fullest member would hold ~1.2× the mean. The capacity cuts that tail
/// to 1.10 at the price of a small ripple: a member at capacity that gains or loses a slot passes one on.
/// </para>
/// <para>
/// The price of per-slot hashing is ranges: a member's slots are scattered, so it owns about as many ranges as
/// slots once N is large, and (1 - 1/N) times its slot count in general. Contiguous blocks would give fewer ranges but
/// fewer independent units per member, and with them worse balance and more movement. Figures and the alternatives
/// measured are in docs/cluster.md ("Slot assignment").
/// </para>
/// </remarks>
public sealed class SlotMap
{
    /// <summary>
    /// A member may hold up to ⌊1.1 × 16384 / N⌋ slots (never fewer than ⌈16384 / N⌉). The headroom is what keeps
    /// movement near ideal: with none, every change ripples through all members (measured: 1.7× ideal at 100 nodes).
    /// </summary>
    public const double Headroom = 0.10;

    /// <summary>Most members a map holds; beyond this some would own nothing at all.</summary>
    public const int MaxMembers = HashSlot.SlotCount;

    // Members tried per slot before falling back to all of them; with 10% headroom the fallback is rare.
    private const int ShortlistLength = 8;

    // Fixed forever: changing it would make nodes of different versions disagree about every slot.
    private const long ScoreSeed = 0x5065707065724361; // "PepperCa"

    private readonly string[] _members;
    private readonly ushort[] _owners;
    private readonly SlotRange[][] _rangesByMember;
    private readonly int[] _slotCounts;

    private SlotMap(string[] members, ushort[] owners)
    {
        _members = members;
        _owners = owners;
        _slotCounts = new int[members.Length];
        var ranges = new List<SlotRange>[members.Length];
        for (var i = 0; i < ranges.Length; i++)
        {
            ranges[i] = [];
        }

        var start = 0;
        for (var slot = 1; slot <= owners.Length; slot++)
        {
            if (slot == owners.Length || owners[slot] != owners[start])
            {
                ranges[owners[start]].Add(new SlotRange(start, slot - 1));
                _slotCounts[owners[start]] += slot - start;
                start = slot;
            }
        }

        _rangesByMember = Array.ConvertAll(ranges, list => list.ToArray());
    }

    /// <summary>Member ids in ordinal order; a member's index here is what <see cref="OwnerIndexOf"/> returns.</summary>
    public IReadOnlyList<string> Members => _members;

    /// <summary>Builds the map for <paramref name="memberIds"/> (distinct, non-empty stable ids; order does not matter).</summary>
    public static SlotMap Build(IReadOnlyCollection<string> memberIds) => Build(memberIds, Headroom);

    /// <summary>As <see cref="Build(IReadOnlyCollection{string})"/> with another capacity headroom, for measurements.</summary>
    internal static SlotMap Build(IReadOnlyCollection<string> memberIds, double headroom)
    {
        ArgumentNullException.ThrowIfNull(memberIds);

        var members = memberIds.ToArray();
        if (members.Length is 0 or > MaxMembers)
        {
            throw new ArgumentException($"A slot map needs 1 to {MaxMembers} members, not {members.Length}.", nameof(memberIds));
        }

        Array.Sort(members, StringComparer.Ordinal);
        for (var i = 0; i < members.Length; i++)
        {
            if (string.IsNullOrEmpty(members[i]) || (i > 0 && members[i] == members[i - 1]))
            {
                throw new ArgumentException($"Member ids must be non-empty and distinct: '{members[i]}'.", nameof(memberIds));
            }
        }

        return new SlotMap(members, Assign(members, headroom));
    }

    /// <summary>The index in <see cref="Members"/> of the owner of <paramref name="slot"/>.</summary>
    public int OwnerIndexOf(int slot) => _owners[slot];

    /// <summary>The id of the owner of <paramref name="slot"/>.</summary>
    public string OwnerOf(int slot) => _members[_owners[slot]];

    /// <summary>The slot ranges <paramref name="memberId"/> owns, ascending; empty for a stranger.</summary>
    public IReadOnlyList<SlotRange> RangesOf(string memberId) =>
        IndexOf(memberId) is var i and >= 0 ? _rangesByMember[i] : [];

    /// <summary>How many slots <paramref name="memberId"/> owns.</summary>
    public int SlotCountOf(string memberId) => IndexOf(memberId) is var i and >= 0 ? _slotCounts[i] : 0;

    /// <summary>Every slot <paramref name="memberId"/> owns, ascending.</summary>
    public IEnumerable<int> SlotsOf(string memberId) =>
        RangesOf(memberId).SelectMany(range => Enumerable.Range(range.Start, range.Count));

    /// <summary>The index of <paramref name="memberId"/> in <see cref="Members"/>, or -1.</summary>
    public int IndexOf(string memberId) => Array.BinarySearch(_members, memberId, StringComparer.Ordinal) is var i and >= 0 ? i : -1;

    /// <summary>The slots whose owner differs between <paramref name="before"/> and <paramref name="after"/>, ascending.</summary>
    public static IReadOnlyList<SlotMove> Diff(SlotMap? before, SlotMap after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var moves = new List<SlotMove>();
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            var to = after.OwnerOf(slot);
            var from = before?.OwnerOf(slot);
            if (!string.Equals(from, to, StringComparison.Ordinal))
            {
                moves.Add(new SlotMove(slot, from, to));
            }
        }

        return moves;
    }

    private static ushort[] Assign(string[] members, double slack)
    {
        var fair = (HashSlot.SlotCount + members.Length - 1) / members.Length;
        var capacity = new int[members.Length];
        Array.Fill(capacity, Math.Max(fair, (int)(HashSlot.SlotCount * (1 + slack) / members.Length)));

        var memberHashes = new ulong[members.Length];
        for (var m = 0; m < members.Length; m++)
        {
            memberHashes[m] = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(members[m]), ScoreSeed);
        }

        // Pass 1 over each slot's best few members only: with 10% headroom nearly every slot lands there, and it
        // keeps the sort to 8 pairs per slot instead of N.
        var owners = new ushort[HashSlot.SlotCount];
        var assigned = new bool[HashSlot.SlotCount];
        var shortlist = Math.Min(ShortlistLength, members.Length);
        var pairs = new UInt128[HashSlot.SlotCount * shortlist];
        Span<ulong> bestScores = stackalloc ulong[shortlist];
        Span<int> bestMembers = stackalloc int[shortlist];
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            bestScores.Clear();
            bestMembers.Fill(-1);
            for (var m = 0; m < memberHashes.Length; m++)
            {
                var score = Score(memberHashes[m], slot);
                if (score > bestScores[^1] || bestMembers[^1] < 0)
                {
                    var at = shortlist - 1;
                    for (; at > 0 && (bestScores[at - 1] < score || bestMembers[at - 1] < 0); at--)
                    {
                        bestScores[at] = bestScores[at - 1];
                        bestMembers[at] = bestMembers[at - 1];
                    }

                    bestScores[at] = score;
                    bestMembers[at] = m;
                }
            }

            for (var i = 0; i < shortlist; i++)
            {
                pairs[(slot * shortlist) + i] = Pair(bestScores[i], slot, bestMembers[i]);
            }
        }

        var unassigned = Take(pairs, owners, assigned, capacity, HashSlot.SlotCount);
        if (unassigned > 0)
        {
            // Pass 2: the few slots whose shortlist was all full try every member. Capacity only shrinks, so the
            // shortlisted members are still full and re-offering them changes nothing.
            var rest = new List<UInt128>(unassigned * memberHashes.Length);
            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                if (!assigned[slot])
                {
                    for (var m = 0; m < memberHashes.Length; m++)
                    {
                        rest.Add(Pair(Score(memberHashes[m], slot), slot, m));
                    }
                }
            }

            unassigned = Take([.. rest], owners, assigned, capacity, unassigned);
        }

        // Capacities add up to at least 16384 and pass 2 offers every member, so no slot is left over.
        System.Diagnostics.Debug.Assert(unassigned == 0, "every slot has an owner");
        return owners;
    }

    /// <summary>Greedy over <paramref name="pairs"/>, best first: a slot goes to the first offered member with room.</summary>
    private static int Take(UInt128[] pairs, ushort[] owners, bool[] assigned, int[] capacity, int unassigned)
    {
        Array.Sort(pairs);
        foreach (var pair in pairs)
        {
            var low = (ulong)pair;
            var slot = (int)(low >> 32);
            var m = (int)(uint)low;
            if (assigned[slot] || capacity[m] == 0)
            {
                continue;
            }

            owners[slot] = (ushort)m;
            assigned[slot] = true;
            capacity[m]--;
            if (--unassigned == 0)
            {
                break;
            }
        }

        return unassigned;
    }

    /// <summary>
    /// A sortable key for (member, slot): the inverted score first so the best pair sorts first, then slot and
    /// member so that (astronomically rare) equal scores break the same way on every node.
    /// </summary>
    private static UInt128 Pair(ulong score, int slot, int member) =>
        new(~score, ((ulong)(uint)slot << 32) | (uint)member);

    private static ulong Score(ulong memberHash, int slot)
    {
        Span<byte> input = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(input, memberHash);
        BinaryPrimitives.WriteInt32LittleEndian(input[8..], slot);
        return XxHash3.HashToUInt64(input, ScoreSeed);
    }
}
