using PepperCache.Protocol;

namespace PepperCache.Core.Cluster;

/// <summary>
/// The next slot assignment from the current one and the member set, in contiguous ranges as Redis Cluster keeps
/// them: history-dependent, unlike <see cref="SlotMap"/>, so it needs one agreed current table to start from
/// (docs/cluster.md, "Slot assignment in ranges").
/// </summary>
/// <remarks>
/// <para>
/// Every member ends with between ⌈0.95 × mean⌉ and ⌊1.05 × mean⌋ slots (mean = 16384 / N), and as few slots as
/// possible change hands: slots of members that are gone, and slots of members above the upper bound, are freed;
/// if that does not bring every member to the lower bound, the members that give anyway share the rest evenly (a join
/// lasts as long as its biggest giver's hand-over), and what they cannot give the fullest others give down to it,
/// fewest first.
/// The givers cut where the freed slots form the fewest runs, since each run is one range for whoever takes it: next
/// to slots already free, then where two givers' ranges meet (the end of one and the start of the next form one run),
/// and a giver next to neither in one piece where it can.
/// The freed slots go to the emptiest members, each member's share in as few chunks as it can: first runs next to
/// its own ranges (which then just grow, every taker before any takes elsewhere), then the smallest free run that
/// holds its whole share, else the largest.
/// </para>
/// <para>
/// Deterministic: the same current table and members give the same result on every node, so two members that
/// compute it from the same inputs agree without talking.
/// </para>
/// </remarks>
public static partial class SlotPlanner
{
    /// <summary>No member holds more than this times the mean.</summary>
    public const double MaxLoad = 1.05;

    /// <summary>No member holds less than this times the mean (a joiner starts here, which keeps a join's moves under ideal).</summary>
    public const double MinLoad = 0.95;

    /// <summary>
    /// The next owner of every slot. <paramref name="current"/> holds 16,384 owner ids (null, or an id not in
    /// <paramref name="members"/>, for a slot whose owner is gone); <paramref name="members"/> are distinct ids.
    /// </summary>
    public static string[] Next(IReadOnlyList<string?> current, IReadOnlyCollection<string> members)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(members);
        if (current.Count != HashSlot.SlotCount)
        {
            throw new ArgumentException($"A slot table has {HashSlot.SlotCount} owners, not {current.Count}.", nameof(current));
        }

        var ids = members.ToArray();
        if (ids.Length is 0 or > HashSlot.SlotCount)
        {
            throw new ArgumentException($"A plan needs 1 to {HashSlot.SlotCount} members, not {ids.Length}.", nameof(members));
        }

        Array.Sort(ids, StringComparer.Ordinal);
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            if (string.IsNullOrEmpty(ids[i]) || !index.TryAdd(ids[i], i))
            {
                throw new ArgumentException($"Member ids must be non-empty and distinct: '{ids[i]}'.", nameof(members));
            }
        }

        var owners = new int[HashSlot.SlotCount];
        var counts = new int[ids.Length];
        for (var slot = 0; slot < owners.Length; slot++)
        {
            owners[slot] = current[slot] is { } id && index.TryGetValue(id, out var m) ? m : -1;
            if (owners[slot] >= 0)
            {
                counts[owners[slot]]++;
            }
        }

        Plan(owners, counts);
        return Array.ConvertAll(owners, m => ids[m]);
    }

    private static void Plan(int[] owners, int[] counts)
    {
        var n = counts.Length;
        var mean = (double)HashSlot.SlotCount / n;
        var high = Math.Max((int)Math.Ceiling(mean), (int)Math.Floor(mean * MaxLoad));
        var low = Math.Min((int)Math.Floor(mean), (int)Math.Ceiling(mean * MinLoad));

        // What each member gives: everything above the upper bound.
        var gives = new int[n];
        var free = owners.Count(o => o < 0);
        for (var m = 0; m < n; m++)
        {
            gives[m] = Math.Max(0, counts[m] - high);
            free += gives[m];
        }

        var required = counts.Sum(c => Math.Max(0, low - c));
        if (free < required)
        {
            // Not enough to bring everyone to the lower bound. The members that give anyway share the rest evenly (a
            // join is over when its biggest giver has handed its share over); what they cannot give, the fullest of
            // the others give down to the bound, fewest members first (each new giver is one more range to take).
            var extra = SpreadOverGivers(counts, gives, low, required - free);
            foreach (var m in Enumerable.Range(0, n).OrderByDescending(m => counts[m] - gives[m]).ThenBy(m => m))
            {
                if (extra == 0)
                {
                    break;
                }

                var take = Math.Min(Math.Max(0, counts[m] - gives[m] - low), extra);
                gives[m] += take;
                extra -= take;
            }

            free = required;
        }

        // Where each giver cuts is chosen for all of them at once, so that neighbours' cuts meet (SlotPlanner.Release.cs).
        Release(owners, gives);
        for (var m = 0; m < n; m++)
        {
            counts[m] -= gives[m];
        }

        // Who takes what: first everyone to the lower bound, then the emptiest up to the upper bound.
        var takes = new int[n];
        for (var m = 0; m < n; m++)
        {
            takes[m] = Math.Max(0, low - counts[m]);
            free -= takes[m];
        }

        foreach (var m in Enumerable.Range(0, n).OrderBy(m => counts[m] + takes[m]).ThenBy(m => m))
        {
            if (free == 0)
            {
                break;
            }

            var room = Math.Min(free, high - counts[m] - takes[m]);
            takes[m] += room;
            free -= room;
        }

        TakeAll(owners, takes);
    }

    /// <summary>
    /// Adds up to <paramref name="extra"/> to the gives of the members that already give, none giving below
    /// <paramref name="low"/>, by raising the smallest gives first (water-filling): each ends at one level, or at its
    /// own floor or cap. Returns what they could not take.
    /// </summary>
    private static int SpreadOverGivers(int[] counts, int[] gives, int low, int extra)
    {
        var givers = Enumerable.Range(0, counts.Length).Where(m => gives[m] > 0).ToArray();
        var room = givers.Sum(m => counts[m] - low - gives[m]);
        if (room <= extra)
        {
            foreach (var m in givers)
            {
                gives[m] = counts[m] - low;
            }

            return extra - room;
        }

        var wanted = givers.Sum(m => gives[m]) + extra;
        int GivenAt(int level) => givers.Sum(m => Math.Max(gives[m], Math.Min(counts[m] - low, level)));

        // The lowest level whose gives add up to what is wanted.
        var (lo, hi) = (0, HashSlot.SlotCount);
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            (lo, hi) = GivenAt(mid) >= wanted ? (lo, mid) : (mid + 1, hi);
        }

        // Every giver up to one below that level, then one more each, fullest first, until the sum is met.
        foreach (var m in givers)
        {
            gives[m] = Math.Max(gives[m], Math.Min(counts[m] - low, lo - 1));
        }

        var rest = wanted - givers.Sum(m => gives[m]);
        foreach (var m in givers.OrderByDescending(m => counts[m] - gives[m]).ThenBy(m => m))
        {
            if (rest == 0)
            {
                break;
            }

            if (gives[m] == lo - 1 && counts[m] - low >= lo)
            {
                gives[m]++;
                rest--;
            }
        }

        return 0;
    }

    private static List<SlotRange> RangesOf(int[] owners, int m)
    {
        var ranges = new List<SlotRange>();
        for (var slot = 0; slot < owners.Length; slot++)
        {
            if (owners[slot] == m)
            {
                var start = slot;
                while (slot + 1 < owners.Length && owners[slot + 1] == m)
                {
                    slot++;
                }

                ranges.Add(new SlotRange(start, slot));
            }
        }

        return ranges;
    }

    private static List<SlotRange> FreeRuns(int[] owners) => RangesOf(owners, -1);
}
