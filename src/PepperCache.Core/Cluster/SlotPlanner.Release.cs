namespace PepperCache.Core.Cluster;

public static partial class SlotPlanner
{
    /// <summary>
    /// Frees <c>gives[m]</c> of every member m's slots (the amounts are settled; this only chooses where), placed so
    /// that the freed slots form as few runs as they can: each run is one range for whoever takes it, so a joiner
    /// that takes from N givers gets as many ranges as there are runs, not N.
    /// </summary>
    /// <remarks>
    /// Three passes. The runs already free (slots of members gone) are grown into the givers next to them: their cut
    /// just lengthens the run. Then boundaries where two givers' ranges meet are grown into both (<see cref="Pair"/>):
    /// the end of one range and the start of the next form one run, and if a giver gives at least its whole range the
    /// run goes on into the next one, so a chain of givers with one range each frees ⌈givers/2⌉ runs, not one each.
    /// What is left belongs to givers next to no other giver and no free slot (<see cref="ReleaseAlone"/>).
    /// </remarks>
    private static void Release(int[] owners, int[] gives)
    {
        var left = (int[])gives.Clone();
        for (var slot = 0; slot < owners.Length; slot++)
        {
            if (owners[slot] < 0)
            {
                slot = Grow(owners, left, slot, RunEnd(owners, slot, -1));
            }
        }

        Pair(owners, left);

        for (var m = 0; m < left.Length; m++)
        {
            if (left[m] > 0)
            {
                ReleaseAlone(owners, m, left[m]);
            }
        }
    }

    /// <summary>
    /// Frees the slots on both sides of boundaries where two givers' ranges meet, one boundary at a time: the one whose
    /// givers have the fewest other givers left to pair with, ties in slot order. This is the least-degree greedy
    /// matching on the givers' adjacency; pairing in slot order left more givers alone (growing to 10 nodes, the
    /// tenth joiner took 6 runs from 9 givers, where 5 can be had: 30 ranges in all against 28 now).
    /// </summary>
    private static void Pair(int[] owners, int[] left)
    {
        // Grow only frees slots, so a boundary between two givers that still give was one from the start.
        var boundaries = new List<int>();
        for (var slot = 1; slot < owners.Length; slot++)
        {
            if (Pairs(owners, left, slot))
            {
                boundaries.Add(slot);
            }
        }

        var degree = new int[left.Length];
        var partners = new HashSet<(int, int)>();
        while (boundaries.Count > 0)
        {
            Array.Clear(degree);
            partners.Clear();
            foreach (var slot in boundaries)
            {
                var (a, b) = (owners[slot - 1], owners[slot]);
                if (partners.Add((Math.Min(a, b), Math.Max(a, b))))
                {
                    degree[a]++;
                    degree[b]++;
                }
            }

            var best = boundaries[0];
            var bestKey = (int.MaxValue, int.MaxValue);
            foreach (var slot in boundaries)
            {
                var (da, db) = (degree[owners[slot - 1]], degree[owners[slot]]);
                var key = (Math.Min(da, db), Math.Max(da, db));
                if (key.CompareTo(bestKey) < 0)
                {
                    (best, bestKey) = (slot, key);
                }
            }

            Grow(owners, left, best, best - 1);
            boundaries.RemoveAll(slot => !Pairs(owners, left, slot));
        }
    }

    private static bool Pairs(int[] owners, int[] left, int slot) =>
        owners[slot - 1] is var a and >= 0 && owners[slot] is var b and >= 0 && a != b && left[a] > 0 && left[b] > 0;

    /// <summary>
    /// Grows the free run <paramref name="start"/>..<paramref name="end"/> (empty when end = start - 1) into the
    /// ranges on either side while their owners still have slots to give: a whole range if its owner gives at least
    /// that many (its range count falls, and the run reaches whatever lies beyond), else the owner's whole remaining
    /// give off the near end. Returns the run's last slot.
    /// </summary>
    private static int Grow(int[] owners, int[] left, int start, int end)
    {
        var grown = true;
        while (grown)
        {
            grown = false;
            if (start > 0 && owners[start - 1] is var before and >= 0 && left[before] > 0)
            {
                var cut = Math.Min(left[before], start - RunStart(owners, start - 1, before));
                Array.Fill(owners, -1, start - cut, cut);
                left[before] -= cut;
                start = RunStart(owners, start - 1, -1);
                grown = true;
            }

            if (end < owners.Length - 1 && owners[end + 1] is var after and >= 0 && left[after] > 0)
            {
                var cut = Math.Min(left[after], RunEnd(owners, end + 1, after) - end);
                Array.Fill(owners, -1, end + 1, cut);
                left[after] -= cut;
                end = RunEnd(owners, end + 1, -1);
                grown = true;
            }
        }

        return end;
    }

    /// <summary>
    /// Frees <paramref name="count"/> of the slots of a giver next to no other giver and no free slot, in one piece
    /// where it can: a range of exactly that many (its range count falls), else the end of the smallest range that is
    /// longer. Every piece is a range for the taker; freeing whole small ranges first, as the planner did before,
    /// lowered the giver's count by as much as it raised a joiner's (19 ranges for a fresh joiner at 10 nodes).
    /// Only when every range is shorter does it free several, the largest first (fewest pieces), then a range's end.
    /// </summary>
    private static void ReleaseAlone(int[] owners, int m, int count)
    {
        var ranges = RangesOf(owners, m);
        ranges.Sort((a, b) => a.Count != b.Count ? a.Count.CompareTo(b.Count) : a.Start.CompareTo(b.Start));
        var holds = ranges.FindIndex(r => r.Count >= count);
        if (holds >= 0)
        {
            Array.Fill(owners, -1, ranges[holds].End - count + 1, count);
            return;
        }

        // A giver keeps at least the lower bound, so its ranges add up to more than count.
        for (var i = ranges.Count - 1; count > 0; i--)
        {
            var cut = Math.Min(count, ranges[i].Count);
            Array.Fill(owners, -1, ranges[i].End - cut + 1, cut);
            count -= cut;
        }
    }

    /// <summary>The first slot of the run of <paramref name="owner"/> that holds <paramref name="slot"/>.</summary>
    private static int RunStart(int[] owners, int slot, int owner)
    {
        while (slot > 0 && owners[slot - 1] == owner)
        {
            slot--;
        }

        return slot;
    }

    /// <summary>The last slot of the run of <paramref name="owner"/> that holds <paramref name="slot"/>.</summary>
    private static int RunEnd(int[] owners, int slot, int owner)
    {
        while (slot < owners.Length - 1 && owners[slot + 1] == owner)
        {
            slot++;
        }

        return slot;
    }
}
