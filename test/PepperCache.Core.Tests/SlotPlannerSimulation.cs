using System.Globalization;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Core.Tests;

/// <summary>
/// <see cref="SlotPlanner"/> over a history: a cluster grown from one node by joins to N, then a run of joins and
/// leaves (a seeded random mix, the size staying near N). Movement ratios are to the ideal (the newcomer's fair share
/// 16384/(N+1) on a join, the leaver's 16384/N on a leave); balance is the worst max/mean after any change; ranges are
/// at the end, with each node's count against the joins it has seen (its own included). A join lasts as long as its
/// biggest giver's hand-over, so the largest share one member gives is set against the slots moved split evenly over
/// the members that were there (rounded up: at 1,000 nodes a join moves fewer slots than there are members).
/// </summary>
internal sealed record SlotPlannerFigures(
    int Nodes,
    int Changes,
    double MaxOverMean,
    double MeanRanges,
    int MaxRanges,
    double MeanJoinsSeen,
    double WorstRangesPerJoinSeen,
    int TotalRanges,
    double JoinMeanRatio,
    double JoinWorstRatio,
    double LeaveMeanRatio,
    double LeaveWorstRatio,
    double GiverMeanRatio,
    double GiverWorstRatio)
{
    /// <summary>CLUSTER SLOTS is about 100 bytes per range (start, end, host, port, 40-byte id).</summary>
    public int ClusterSlotsBytes => TotalRanges * 100;

    public string ToMarkdownRow() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {Nodes} | {Changes} | {MaxOverMean:F3} | {JoinMeanRatio:F3}× / {JoinWorstRatio:F3}× | {LeaveMeanRatio:F3}× / {LeaveWorstRatio:F3}× | " +
        $"{GiverMeanRatio:F2}× / {GiverWorstRatio:F2}× | " +
        $"{MeanRanges:F1} / {MaxRanges} | {MeanJoinsSeen:F1} | {WorstRangesPerJoinSeen:F2} | {TotalRanges} (~{ClusterSlotsBytes / 1024.0:F1} KB) |");
}

internal static class SlotPlannerSimulation
{
    public const string MarkdownHeader =
        "| nodes | joins and leaves after growing | worst max/mean | join moved vs ideal (mean / worst) | leave moved vs ideal (mean / worst) | a join's biggest giver vs an even split (mean / worst) | ranges per node (mean / max) | joins seen per node (mean) | worst ranges / joins seen | ranges in all (CLUSTER SLOTS) |\n" +
        "|---|---|---|---|---|---|---|---|---|---|";

    public static SlotPlannerFigures Measure(int nodes, int changes, int seed = 1)
    {
        var random = new Random(seed);
        var next = 0;
        var joinsSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        string?[] owners = new string?[HashSlot.SlotCount];
        var members = new List<string>();
        var worstBalance = 0.0;
        var joinRatios = new List<double>();
        var leaveRatios = new List<double>();
        var giverRatios = new List<double>();

        void Join(bool measure)
        {
            var id = SlotMapSimulation.NodeId(next++);
            foreach (var member in members)
            {
                joinsSeen[member]++;
            }

            members.Add(id);
            joinsSeen[id] = 1;
            var after = SlotPlanner.Next(owners, members);
            if (measure)
            {
                var moved = Moved(owners, after);
                joinRatios.Add(moved / (HashSlot.SlotCount / (double)members.Count));
                giverRatios.Add(BiggestGive(owners, after) / Math.Ceiling(moved / (double)(members.Count - 1)));
            }

            owners = after;
        }

        void Leave()
        {
            var leaver = members[random.Next(members.Count)];
            members.Remove(leaver);
            joinsSeen.Remove(leaver);
            var after = SlotPlanner.Next(owners, members);
            leaveRatios.Add(Moved(owners, after) / (HashSlot.SlotCount / (double)(members.Count + 1)));
            owners = after;
        }

        for (var i = 0; i < nodes; i++)
        {
            Join(measure: i >= 1);
            worstBalance = Math.Max(worstBalance, Balance(owners, members));
        }

        for (var i = 0; i < changes; i++)
        {
            // Stay within 10% of the size (and above 1): a join when small, a leave when large, else either.
            var join = members.Count <= Math.Max(2, nodes * 9 / 10) || (members.Count < nodes * 11 / 10 + 1 && random.Next(2) == 0);
            if (join)
            {
                Join(measure: true);
            }
            else
            {
                Leave();
            }

            worstBalance = Math.Max(worstBalance, Balance(owners, members));
        }

        var ranges = members.ToDictionary(m => m, _ => 0, StringComparer.Ordinal);
        var total = 0;
        for (var slot = 0; slot < owners.Length; slot++)
        {
            if (slot == 0 || owners[slot] != owners[slot - 1])
            {
                ranges[owners[slot]!]++;
                total++;
            }
        }

        return new SlotPlannerFigures(
            nodes,
            changes,
            worstBalance,
            ranges.Values.Average(),
            ranges.Values.Max(),
            members.Average(m => joinsSeen[m]),
            members.Max(m => ranges[m] / (double)joinsSeen[m]),
            total,
            joinRatios.Average(),
            joinRatios.Max(),
            leaveRatios.Count > 0 ? leaveRatios.Average() : 0,
            leaveRatios.Count > 0 ? leaveRatios.Max() : 0,
            giverRatios.Average(),
            giverRatios.Max());
    }

    private static int BiggestGive(string?[] before, string[] after)
    {
        var given = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var slot = 0; slot < after.Length; slot++)
        {
            if (before[slot] is { } owner && owner != after[slot])
            {
                given[owner] = given.GetValueOrDefault(owner) + 1;
            }
        }

        return given.Values.Max();
    }

    private static int Moved(string?[] before, string[] after)
    {
        var moved = 0;
        for (var slot = 0; slot < after.Length; slot++)
        {
            moved += before[slot] == after[slot] ? 0 : 1;
        }

        return moved;
    }

    private static double Balance(string?[] owners, List<string> members)
    {
        var counts = owners.GroupBy(o => o!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        Assert.Equal(members.Count, counts.Count);
        Assert.All(members, m => Assert.True(counts.ContainsKey(m), "every member has slots"));
        // The bound: 1.05 × the mean, or the mean rounded up where that is more (at 1,019 nodes someone holds 17
        // slots of a mean of 16.08: 1.058).
        var mean = HashSlot.SlotCount / (double)members.Count;
        var bound = Math.Max((int)Math.Ceiling(mean), (int)Math.Floor(mean * SlotPlanner.MaxLoad));
        Assert.True(counts.Values.Max() <= bound, $"{members.Count} members: {counts.Values.Max()} slots on one, bound {bound}");
        return counts.Values.Max() / mean;
    }
}
